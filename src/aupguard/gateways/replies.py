"""SMTP replies for gate answers, with RFC 3463 enhanced status codes; the same for every MTA."""

from __future__ import annotations

import re
from dataclasses import dataclass

from aupguard.gateways.answer import Answer, Origin

FEEDBACK_HEADER = "X-AUP-Feedback-Token"
_UNSAFE = re.compile(r"[^\x20-\x7e]+")


@dataclass(frozen=True, slots=True)
class SmtpReply:
    code: int  # 250, 451 or 550
    enhanced: str  # RFC 3463: 2.0.0, 4.7.x, 5.7.x
    text: str  # one line, printable ASCII

    @property
    def line(self) -> str:
        return f"{self.code} {self.enhanced} {self.text}"

    @property
    def permanent(self) -> bool:
        return self.code >= 500


def clean(text: str, limit: int = 200) -> str:
    """One printable-ASCII line: replies go back to the sending client verbatim."""
    one = " ".join(_UNSAFE.sub(" ", text).split())
    return one if len(one) <= limit else one[: limit - 3] + "..."


def _with_case(text: str, case_ref: str | None) -> str:
    if case_ref and case_ref not in text:
        return f"{text} (case {case_ref})"
    return text


def smtp_reply(answer: Answer) -> SmtpReply:
    """Accept (also for hold: the MTA quarantines), 451 4.7.x to retry later, 550 5.7.1 to refuse.

    A failure of the engine is only ever a temporary failure, never a permanent bounce.
    """
    reason = clean(answer.reason, 160)
    match answer.action:
        case "allow":
            return SmtpReply(250, "2.0.0", "Ok")
        case "hold":
            return SmtpReply(250, "2.0.0", "Accepted, held for review")
        case "defer" if answer.origin is Origin.THROTTLE:
            text = "Sending rate limit reached for this sender, try again later"
            return SmtpReply(451, "4.7.1", clean(_with_case(text, answer.case_ref)))
        case "defer" if answer.origin in (Origin.FAIL_CLOSED, Origin.FAIL_OPEN):
            return SmtpReply(451, "4.7.0", "Policy check temporarily unavailable, try again later")
        case "defer":
            text = f"Deferred under the acceptable use policy: {reason}"
            return SmtpReply(451, "4.7.1", clean(_with_case(text, answer.case_ref)))
        case _:
            text = f"Refused under the acceptable use policy: {reason}"
            return SmtpReply(550, "5.7.1", clean(_with_case(text, answer.case_ref)))
