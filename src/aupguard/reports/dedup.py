"""Dedup keys: one digest per incident whatever the transport, one key per campaign.

The digest hashes only what names the incident: who reports (by domain, not by the
envelope), what it is about (clause or report type) and the reported thing (feedback
token, Message-ID, the reporter's incident facts, or the normalised text). Outer headers,
MIME boundaries, line endings, quoting and the report's own arrival time never enter it,
so the same complaint sent twice, or re-sent through another relay, gives one digest.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from aupguard.reports.model import Reporter

_QUOTE = re.compile(r"(?m)^[ \t]{0,8}(?:>[ \t]{0,2}){1,20}")
_DIGITS = re.compile(r"\d+")
_REPLY_PREFIX = re.compile(r"^(?:\s{0,4}(?:re|fwd?|aw|wg|tr)\s{0,2}:)+", re.IGNORECASE)


def _hash(*parts: str) -> str:
    blob = "\x1f".join(parts).encode("utf-8", "surrogateescape")
    return hashlib.sha256(blob).hexdigest()


def reporter_id(reporter: Reporter) -> str:
    """The reporting organisation, stable across relays: its domain, else its org name."""
    if reporter.domain:
        return reporter.domain.lower()
    if reporter.address and "@" in reporter.address:
        return reporter.address.rpartition("@")[2].lower()
    return (reporter.org or "").strip().lower()


def normalised_text(text: str) -> str:
    """Quote markers, case, line endings and runs of white space removed."""
    return " ".join(_QUOTE.sub("", text.replace("\r\n", "\n")).lower().split())


def incident_digest(reporter: Reporter, topic: str, subject: Iterable[str]) -> str:
    """sha256 of (reporter, topic, what is reported); `subject` is ordered strongest first."""
    items = sorted({s.strip().lower() for s in subject if s and s.strip()})
    return _hash("incident", reporter_id(reporter), topic, *items)


def text_fingerprint(text: str) -> str:
    return _hash("text", normalised_text(text))


def subject_skeleton(subject: str) -> str:
    """Reply prefixes dropped, numbers folded: "Re: Order 1234 shipped" -> "order # shipped"."""
    subject = _REPLY_PREFIX.sub("", subject or "")
    return " ".join(_DIGITS.sub("#", subject.lower()).split())


def campaign_key(
    explicit: str | None = None,
    sender_domain: str | None = None,
    subject: str | None = None,
    extra: Iterable[str] = (),
) -> str | None:
    """A campaign id given by the sender (Feedback-ID, X-ARF campaign tag), else
    sender domain + subject skeleton (+ `extra`, e.g. report type); None when too little."""
    if explicit and explicit.strip():
        return _hash("campaign-id", " ".join(explicit.lower().split()))
    skeleton = subject_skeleton(subject or "")
    if not sender_domain or not (skeleton or any(extra)):
        return None
    return _hash("campaign", sender_domain.lower(), skeleton, *sorted(extra))
