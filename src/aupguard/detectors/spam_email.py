"""Spam content of an e-mail: a shipped linear model over words, headers and URLs, plus rules."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from aupguard.detectors.base import Detector, Evidence, Finding, SignalSpec, excerpt
from aupguard.detectors.context import Context
from aupguard.detectors.spam_rules import EMAIL_RULES, RuleHit, email_rule_hits
from aupguard.events.email import EmailView
from aupguard.events.model import Channel, Direction, Role
from aupguard.events.views import Views
from aupguard.models.email_features import BODY_CHARS, email_tokens
from aupguard.models.linear import LinearTextModel, Score, shipped

MODEL = "spam_email"
# Where the strongest words are looked for, to quote them: the model reads no further.
EVIDENCE_CHARS = BODY_CHARS


class SpamEmailOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # Below this probability nothing is reported (most mail): keeps verdicts quiet and cheap.
    # What a probability means for the clause is the ruleset's weight, not this floor.
    report_from: float = Field(default=0.5, ge=0, le=1)
    explain: int = Field(default=5, ge=0, le=20)  # top features named in the evidence


def features(view: EmailView) -> tuple[list[str], list[RuleHit]]:
    """The model's tokens and the rule hits of one message (training uses the same)."""
    parts = [tp for tp in view.text_parts if tp.role is not Role.SUBJECT]
    hits = email_rule_hits(view.subject, parts, view.urls)
    return email_tokens(view, tuple(h.name for h in hits)), hits


class SpamEmailDetector(Detector):
    name = "spam_email"
    version = "1"
    description = (
        "Scores outbound e-mail with the shipped spam model and names classic spam traits."
    )
    channels = frozenset({Channel.EMAIL})
    signals = (
        SignalSpec("SPAM_CONTENT", "The e-mail model's calibrated probability that this is spam."),
        *(SignalSpec(name, meaning) for name, meaning in EMAIL_RULES.items()),
    )
    Options = SpamEmailOptions

    def __init__(self, options: BaseModel | None = None) -> None:
        super().__init__(options)
        self.model: LinearTextModel = shipped(MODEL)
        self.model_hash = self.model.sha256

    def check(self, view: Views, ctx: Context) -> Sequence[Finding]:
        if not isinstance(view, EmailView) or view.event.direction is Direction.INBOUND:
            return []
        opts = self.options
        assert isinstance(opts, SpamEmailOptions)
        tokens, hits = features(view)
        out: list[Finding] = [self.signal(h.name, 1.0, _rule_evidence(view, h)) for h in hits]
        score = self.model.score(tokens, explain_from=opts.report_from, top=opts.explain)
        if score.probability >= opts.report_from:
            out.append(self.signal("SPAM_CONTENT", score.probability, *_evidence(view, score)))
        return out


def _rule_evidence(view: EmailView, hit: RuleHit) -> Evidence:
    text = next((tp.text for tp in view.text_parts if tp.part == hit.part), "")
    if hit.start is not None and text:
        end = hit.end if hit.end is not None else hit.start + 1
        return Evidence(hit.part, excerpt(text, hit.start, end), hit.start, end, hit.detail)
    return Evidence(hit.part, detail=hit.detail)


def _evidence(view: EmailView, score: Score) -> list[Evidence]:
    named = ", ".join(f"{t} (+{c:.2f})" for t, c in score.top)
    out = [Evidence("model", detail=f"P(spam)={score.probability:.3f}; strongest: {named}")]
    words = [t for t, _ in score.top if ":" not in t and len(t) >= 4][:2]  # others: named above
    for tp in view.text_parts if words else ():
        low = tp.text[:EVIDENCE_CHARS].lower()
        for token in list(words):
            pos = low.find(token)
            if pos >= 0:
                out.append(Evidence(tp.part, excerpt(tp.text, pos, pos + len(token)), pos))
                words.remove(token)
    return out
