"""A message reduced to what a tenant submits: the sender's own header fields, one neutral To.

Evaluation corpora carry their receivers' trace fields (Received, authentication
results, spam-filter stamps) and their publishers' rewritten addresses; a detector
that learnt those would score the corpus, not the sender. `as_submitted` keeps only
From, Reply-To, Sender, Subject, MIME-Version, Content-* and List-Unsubscribe of the
top-level header, adds `To: recipient@example.com`, and replaces the publishers'
placeholders (`phishing@pot`, `*.taint.org`) in the whole message.
"""

from __future__ import annotations

import re

NEUTRAL_TO = b"recipient@example.com"
_KEEP = re.compile(
    rb"^(?:from|reply-to|sender|subject|mime-version|content-[a-z-]+|list-unsubscribe(?:-post)?)$",
    re.IGNORECASE,
)
_PLACEHOLDERS = (
    (re.compile(rb"phishing@pot", re.IGNORECASE), NEUTRAL_TO),
    (re.compile(rb"(?:[a-z0-9-]+\.)*taint\.org", re.IGNORECASE), b"example.com"),
)


def as_submitted(raw: bytes) -> bytes:
    """The message as its sender would have handed it to the platform."""
    if raw.startswith(b"From "):  # an mbox envelope line
        raw = raw.split(b"\n", 1)[1] if b"\n" in raw else b""
    head, sep, body = _split(raw)
    kept: list[bytes] = []
    keep = False
    for line in head.splitlines(keepends=True):
        if line[:1] in (b" ", b"\t"):
            if keep:
                kept.append(line)
            continue
        name = line.split(b":", 1)[0].strip()
        keep = b":" in line and bool(_KEEP.match(name))
        if keep:
            kept.append(line)
    eol = b"\r\n" if b"\r\n" in head else b"\n"
    out = b"".join(kept) + b"To: " + NEUTRAL_TO + eol + sep + body
    for rx, new in _PLACEHOLDERS:
        out = rx.sub(new, out)
    return out


def _split(raw: bytes) -> tuple[bytes, bytes, bytes]:
    for sep in (b"\r\n\r\n", b"\n\n"):
        pos = raw.find(sep)
        if pos >= 0:
            return raw[: pos + len(sep) // 2], sep[len(sep) // 2 :], raw[pos + len(sep) :]
    return raw, b"\n", b""
