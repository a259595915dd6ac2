"""Language of the tenant's text, so content detectors that know only some languages say so."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from aupguard.detectors.base import Detector, Evidence, Finding, SignalSpec
from aupguard.detectors.context import Context
from aupguard.events.language import load_model
from aupguard.events.model import Channel
from aupguard.events.views import Views


class LanguageOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    supported: list[str] = ["en"]


class LanguageDetector(Detector):
    name = "language"
    description = "Flags text in a language the content models were not trained on."
    signals = (
        SignalSpec(
            "LANGUAGE_UNSUPPORTED",
            "The tenant's text is in a language the content models do not know.",
        ),
    )
    Options = LanguageOptions
    channels = frozenset({Channel.EMAIL, Channel.SMS, Channel.CHAT, Channel.VOICE})

    def load(self) -> None:
        load_model()

    def check(self, view: Views, ctx: Context) -> Sequence[Finding]:
        assert isinstance(self.options, LanguageOptions)
        lang = view.language
        if lang is None or lang in self.options.supported:
            return []
        ev = Evidence("text", detail=f"language {lang}")
        return [self.signal("LANGUAGE_UNSUPPORTED", 1.0, ev)]
