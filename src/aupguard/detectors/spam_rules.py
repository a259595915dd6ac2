"""Named content rules of the spam stage: cheap, explainable facts that also feed the models.

Each rule finds one well-known trait of unsolicited mail or SMS and says where. The
models see the rule names as features; the detectors emit them as signals with evidence.
Patterns are found with str.find or small linear regexes on bounded text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from aupguard.events.views import TextPart, UrlRef
from aupguard.models.email_features import url_parts

SCAN_CHARS = 20_000


@dataclass(frozen=True, slots=True)
class RuleHit:
    name: str
    part: str
    start: int | None = None
    end: int | None = None
    detail: str = ""


EMAIL_RULES = {
    "SPAM_URL_NUMERIC_HOST": "A link points at a bare IP address instead of a domain name.",
    "SPAM_REMOVE_BY_REPLY": "Opt-out only by replying 'remove' (no working unsubscribe).",
    "SPAM_CLAIMS_NOT_SPAM": "The text claims not to be spam or cites a spam 'bill' (S.1618).",
    "SPAM_SUBJECT_SHOUTING": "The subject is mostly capitals or stacked exclamation marks.",
}
SMS_RULES = {
    "SMS_PREMIUM_RATE": "Mentions a premium-rate number or a per-message/per-minute charge.",
    "SMS_TEXT_TO_SHORTCODE": "Asks to text a keyword to a short code.",
    "SMS_PRIZE_CLAIM": "Announces a prize or win to be claimed.",
}

_NOT_SPAM = ("not spam", "not unsolicited", "s. 1618", "s.1618", "section 301", "is not a spam")
_REMOVE = re.compile(r"\bremove\b[^\n]{0,60}\b(?:subject|reply)|\breply\b[^\n]{0,40}\bremove\b")
_REPLY_REACH = len("reply") + 40 + 1  # how far before "remove" a match may start
_REMOVE_REACH = len("remove") + 60 + len("subject") + 1  # how far after it may end
_PREMIUM = re.compile(
    r"\b09\d{8,9}\b|\b\d{1,3}p\s*/?\s*(?:msg|min|txt|pm)\b"
    r"|\bper (?:msg|min)\b|\b\d{1,3}p (?:per|a) "
)
_SHORTCODE = re.compile(r"\b(?:text|txt|send|reply)\s+[a-z0-9]{1,12}\s+(?:to|2)\s+\d{5}\b")
_PRIZE = ("you have won", "you've won", "you have been selected", "claim your", "won a ")
_PRIZE_WORDS = ("prize", "claim", "winner", "won")


def email_rule_hits(
    subject: str, parts: Sequence[TextPart], urls: Sequence[UrlRef]
) -> list[RuleHit]:
    """Rule hits of one e-mail from its subject, text parts and URLs."""
    hits: list[RuleHit] = []
    for ref in urls[:100]:
        host = _host(ref.url)
        if host and (host.replace(".", "").isdigit() or host.startswith("[")):
            hits.append(RuleHit("SPAM_URL_NUMERIC_HOST", ref.part, ref.start, None, ref.url[:80]))
            break
    removal = claim = False
    for tp in parts:
        text = tp.text[:SCAN_CHARS].lower()
        if not removal and (found := _removal(text)):
            hits.append(RuleHit("SPAM_REMOVE_BY_REPLY", tp.part, *found))
            removal = True
        if not claim:
            for phrase in _NOT_SPAM:
                pos = text.find(phrase)
                if pos >= 0:
                    hits.append(RuleHit("SPAM_CLAIMS_NOT_SPAM", tp.part, pos, pos + len(phrase)))
                    claim = True
                    break
    letters = [c for c in subject if c.isalpha()]
    upper = sum(c.isupper() for c in letters)
    if (len(letters) >= 8 and upper > 0.7 * len(letters)) or "!!!" in subject:
        hits.append(RuleHit("SPAM_SUBJECT_SHOUTING", "subject", 0, len(subject)))
    return hits


def _removal(text: str) -> tuple[int, int] | None:
    """Where `_REMOVE` matches, searched only around each "remove" in turn (every match
    contains one): the regex alone over 20,000 characters cost more than all other rules."""
    pos = text.find("remove")
    while pos >= 0:
        lo = max(0, pos - _REPLY_REACH)
        if m := _REMOVE.search(text, lo, pos + _REMOVE_REACH):
            # the window may have cut a later match short: match again from its start
            hit = _REMOVE.match(text, m.start(), m.start() + _REMOVE_REACH) or m
            return hit.start(), hit.end()
        pos = text.find("remove", pos + 1)
    return None


def sms_rule_hits(text: str, part: str = "text") -> list[RuleHit]:
    """Rule hits of one short message."""
    low = text[:SCAN_CHARS].lower()
    hits: list[RuleHit] = []
    if m := _PREMIUM.search(low):
        hits.append(RuleHit("SMS_PREMIUM_RATE", part, m.start(), m.end()))
    if m := _SHORTCODE.search(low):
        hits.append(RuleHit("SMS_TEXT_TO_SHORTCODE", part, m.start(), m.end()))
    if any(w in low for w in _PRIZE_WORDS):
        for phrase in _PRIZE:
            pos = low.find(phrase)
            if pos >= 0 and any(w in low for w in ("prize", "claim", "call", "cash")):
                hits.append(RuleHit("SMS_PRIZE_CLAIM", part, pos, pos + len(phrase)))
                break
    return hits


def _host(url: str) -> str:
    parts = url_parts(url)
    return parts[1] if parts else ""
