"""Attachments a lenient mail client would find but the MIME tree hides (parser differentials).

Messages with two boundaries, two Content-Type fields or comments in field names
(`Content-Type(x):`) make parsers disagree on where parts are. After the normal walk,
every `Content-Disposition: attachment` block in the raw text that the walk did not
yield is decoded here, so detectors see what some recipient's client would open.
"""

from __future__ import annotations

import base64
import binascii
import re

_DISPOSITION = re.compile(rb"(?im)^content-disposition[ \t]*:[ \t]*attachment[^\n]{0,400}\n")
_FILENAME = re.compile(rb"""(?i)filename\*?=[ \t]*"?([^";\r\n]{1,200})""")
_B64_LINE = re.compile(rb"[A-Za-z0-9+/=]{1,1000}")
MAX_HIDDEN = 20


def hidden_attachments(raw: bytes, seen: list[bytes], max_bytes: int) -> list[tuple[str, bytes]]:
    """(file name, decoded bytes) of base64 attachment blocks the MIME walk did not yield."""
    if raw.find(b"ttachment") < 0:
        return []
    hits = _DISPOSITION.findall(raw, 0, max_bytes)
    if len(hits) <= len(seen):
        return []
    text = raw[:max_bytes].replace(b"\r\n", b"\n")
    found: list[tuple[str, bytes]] = []
    for m in _DISPOSITION.finditer(text):
        if len(found) >= MAX_HIDDEN:
            break
        head_start = text.rfind(b"\n\n", 0, m.start()) + 2
        head_end = text.find(b"\n\n", m.start())
        if head_end < 0:
            continue
        headers = text[head_start:head_end]
        if b"base64" not in headers.lower():
            continue
        lines: list[bytes] = []
        for line in text[head_end + 2 :].split(b"\n", 200_000):
            if not line.strip():
                if lines:
                    break
                continue
            if not _B64_LINE.fullmatch(line.strip()):
                break
            lines.append(line.strip())
        try:
            data = base64.b64decode(b"".join(lines) + b"==")
        except (binascii.Error, ValueError):
            continue
        if data and data not in seen:
            name = _FILENAME.search(headers)
            found.append((name.group(1).decode("utf-8", "replace") if name else "", data))
            seen.append(data)
    return found
