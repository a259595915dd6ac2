"""Adult services, violence, piracy and PII requests in the tenant's words: two-stage models."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from aupguard.content.features import TextAnalysis, analysis_of
from aupguard.content.models import ENCODER, LINEAR, artifact_hash, encoder, linear_model
from aupguard.content.scoring import StagePolicy, scores_of
from aupguard.detectors.base import Detector, Evidence, Finding, SignalSpec, excerpt
from aupguard.detectors.context import Context
from aupguard.events.model import Channel
from aupguard.events.views import Views

# model head -> (signal, lexicon group whose hits are shown as evidence)
HEAD_SIGNALS = {
    "adult": ("ADULT_SERVICES_TEXT", "adult:"),
    "violence": ("VIOLENCE_TEXT", "violence:"),
    "piracy": ("PIRACY_TEXT", "ip:"),
    "pii": ("PII_REQUEST_TEXT", "pii:"),
}
TEXT_CHANNELS = frozenset({Channel.EMAIL, Channel.SMS, Channel.CHAT, Channel.VOICE})


class ContentOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # Below this probability a head emits nothing (keeps ordinary traffic quiet).
    emit_min: float = Field(default=0.1, ge=0, le=1)
    # First-stage probabilities that call the second stage, and heads that always get it.
    second_stage_band: tuple[float, float] = (0.1, 0.8)
    second_stage_high: list[str] = []
    # First-stage probability from which the high heads get the second stage (default:
    # the band's lower end).
    second_stage_high_from: float | None = Field(default=None, ge=0, le=1)
    # Heads the second stage never judges (the first stage's probability stands).
    second_stage_skip: list[str] = []
    second_stage: bool = True

    def policy(self) -> StagePolicy:
        return StagePolicy(
            self.second_stage_band,
            frozenset(self.second_stage_high),
            self.second_stage,
            frozenset(self.second_stage_skip),
            self.second_stage_high_from,
        )


def evidence_for(view: Views, analysis: TextAnalysis, group: str, detail: str) -> list[Evidence]:
    """Lexicon hits of one group as spans and masked excerpts; the text's start otherwise."""
    out: list[Evidence] = []
    for hit in analysis.lexicon:
        if not hit.value.startswith(group):
            continue
        span = analysis.span_of(hit.start, hit.end)
        phrase = " ".join(analysis.tokens[hit.start : hit.end])
        if span is None:
            out.append(Evidence("text", excerpt=f"[{hit.value}] {phrase}", detail=detail))
        else:
            out.append(Evidence("text", excerpt(analysis.text, *span), span[0], span[1], detail))
        if len(out) == 3:
            break
    if not out:
        out.append(Evidence("text", excerpt(analysis.text, 0, 0, 80), detail=detail))
    return out


def unsupported_language(view: Views, languages: Sequence[str]) -> str | None:
    lang = view.language
    return lang if lang is not None and lang not in languages else None


class ContentModelsDetector(Detector):
    name = "content_models"
    version = "1"
    description = (
        "Scores the tenant's words (customers' turns left out) for adult and escort services, "
        "violence and terrorism, piracy and counterfeits, and requests for secrets: a linear "
        "first stage on folded words and lexicons, a fine-tuned MiniLM second stage on "
        "borderline cases."
    )
    channels = TEXT_CHANNELS
    signals = (
        SignalSpec(
            "ADULT_SERVICES_TEXT",
            "The tenant's words offer sexual services or adult content (model).",
        ),
        SignalSpec(
            "VIOLENCE_TEXT",
            "The tenant's words threaten, incite or glorify violence or terrorism (model).",
        ),
        SignalSpec(
            "PIRACY_TEXT", "The tenant's words offer pirated, cracked or counterfeit goods (model)."
        ),
        SignalSpec(
            "PII_REQUEST_TEXT",
            "The tenant's words ask for passwords, codes, card or identity data (model).",
        ),
        SignalSpec(
            "LANGUAGE_UNSUPPORTED",
            "The text is in a language the content models do not know: no clean pass.",
        ),
    )
    Options = ContentOptions
    model_hash = artifact_hash(LINEAR, ENCODER)

    def load(self) -> None:
        assert isinstance(self.options, ContentOptions)
        linear_model()
        if self.options.second_stage:
            encoder()  # 23 MB of int8 ONNX and a tokenizer

    def check(self, view: Views, ctx: Context) -> Sequence[Finding]:
        assert isinstance(self.options, ContentOptions)
        opts = self.options
        analysis = analysis_of(view, ctx.directory)
        if analysis.empty:
            return []
        scores = scores_of(view, analysis, opts.policy(), HEAD_SIGNALS)
        found: list[Finding] = []
        for head, (signal, group) in HEAD_SIGNALS.items():
            p = scores.final(head)
            if p < opts.emit_min:
                continue
            detail = f"first stage {scores.first[head]:.2f}"
            if head in scores.second:
                detail += f", second stage {scores.second[head]:.2f}"
            found.append(self.signal(signal, p, *evidence_for(view, analysis, group, detail)))
        lang = unsupported_language(view, linear_model().languages)
        if lang is not None:
            known = ", ".join(linear_model().languages)
            ev = Evidence("text", detail=f"language {lang}; the content models know {known}")
            found.append(self.signal("LANGUAGE_UNSUPPORTED", 1.0, ev))
        return found
