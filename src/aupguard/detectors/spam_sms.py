"""Spam content of SMS and chat: a shipped linear model over words and n-grams, plus rules."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from aupguard.detectors.base import Detector, Evidence, Finding, SignalSpec, excerpt
from aupguard.detectors.context import Context
from aupguard.detectors.spam_rules import SMS_RULES, RuleHit, sms_rule_hits
from aupguard.events.model import Channel, Direction
from aupguard.events.views import Views
from aupguard.models.linear import LinearTextModel, shipped
from aupguard.models.sms_features import TEXT_CHARS, sms_tokens

MODEL = "spam_sms"


class SpamSmsOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    report_from: float = Field(default=0.5, ge=0, le=1)  # see spam_email: a floor, not a verdict
    explain: int = Field(default=5, ge=0, le=20)


def features(text: str) -> tuple[list[str], list[RuleHit]]:
    """The model's tokens and the rule hits of one message (training uses the same)."""
    hits = sms_rule_hits(text[:TEXT_CHARS])
    return sms_tokens(text, tuple(h.name for h in hits)), hits


class SpamSmsDetector(Detector):
    name = "spam_sms"
    version = "1"
    description = (
        "Scores outbound SMS and chat text with the shipped spam model and names spam traits."
    )
    channels = frozenset({Channel.SMS, Channel.CHAT})
    signals = (
        SignalSpec("SMS_SPAM_CONTENT", "The SMS model's calibrated probability that this is spam."),
        *(SignalSpec(name, meaning) for name, meaning in SMS_RULES.items()),
    )
    Options = SpamSmsOptions

    def __init__(self, options: BaseModel | None = None) -> None:
        super().__init__(options)
        self.model: LinearTextModel = shipped(MODEL)
        self.model_hash = self.model.sha256

    def check(self, view: Views, ctx: Context) -> Sequence[Finding]:
        if view.event.direction is Direction.INBOUND:
            return []  # replies and opt-outs from customers are not the tenant's messages
        opts = self.options
        assert isinstance(opts, SpamSmsOptions)
        text = view.tenant_text
        if not text.strip():
            return []
        tokens, hits = features(text)
        out: list[Finding] = []
        for h in hits:
            end = h.end if h.end is not None else (h.start or 0) + 1
            ev = Evidence("text", excerpt(text, h.start or 0, end), h.start, end)
            out.append(self.signal(h.name, 1.0, ev))
        score = self.model.score(tokens, explain_from=opts.report_from, top=opts.explain)
        if score.probability >= opts.report_from:
            named = ", ".join(f"{t} (+{c:.2f})" for t, c in score.top)
            detail = f"P(spam)={score.probability:.3f}; strongest: {named}"
            ev = Evidence("text", excerpt(text, 0, min(len(text), 80), 0), 0, None, detail)
            out.append(self.signal("SMS_SPAM_CONTENT", score.probability, ev))
        return out
