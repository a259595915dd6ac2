"""A phishing model over words, link hosts and the rule signals (lures, URL traits).

A logistic regression on token sets, trained by `aupguard train phishing` on corpora
that may be shipped (see src/aupguard/models/phishing.md); read here with the standard
library, one dict look-up per token.
Its SHA-256 is the detector's `model_hash`, recorded in every verdict.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from itertools import repeat

from pydantic import BaseModel, ConfigDict

from aupguard.detectors.base import Detector, Evidence, Finding, SignalSpec
from aupguard.detectors.context import Context
from aupguard.detectors.phishfeatures import message_tokens
from aupguard.events.model import Channel
from aupguard.events.views import Views

MODEL_FILE = "phishing.json"
FORMAT = "tokens-binary-l2-v1"


@dataclass(frozen=True, slots=True)
class PhishingModel:
    weights: dict[str, float]
    bias: float
    sha256: str

    def probability(self, toks: set[str]) -> float:
        """Logistic regression on binary, L2-normalised token features."""
        if not toks:
            return 1.0 / (1.0 + math.exp(-self.bias))
        get = self.weights.get
        z = self.bias + sum(map(get, toks, repeat(0.0))) / math.sqrt(len(toks))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def _model_hash() -> str | None:
    try:
        return load_model().sha256
    except (FileNotFoundError, ValueError):  # not trained yet, or an older format: check() says
        return None


@cache
def load_model() -> PhishingModel:
    raw = (files("aupguard.models") / MODEL_FILE).read_bytes()
    data = json.loads(raw)
    if data.get("format") != FORMAT:
        raise ValueError(f"{MODEL_FILE}: format {data.get('format')!r}, expected {FORMAT!r}")
    weights = {str(t): float(w) for t, w in data["weights"].items()}
    return PhishingModel(weights, float(data["bias"]), hashlib.sha256(raw).hexdigest())


class PhishingOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # Below this the signal is left out to keep verdicts quiet; the ruleset's weight and
    # thresholds decide what a probability means.
    noise_floor: float = 0.2


class PhishingModelDetector(Detector):
    name = "phishing_model"
    version = "1"
    description = "Scores e-mail with the shipped phishing model (words, hosts, lures)."
    channels = frozenset({Channel.EMAIL})  # trained on mail only
    signals = (
        SignalSpec("PHISHING_MODEL", "The phishing model's probability that this is phishing."),
    )
    Options = PhishingOptions
    model_hash = _model_hash()

    def check(self, view: Views, ctx: Context) -> Sequence[Finding]:
        assert isinstance(self.options, PhishingOptions)
        p = load_model().probability(message_tokens(view))
        if p < self.options.noise_floor:
            return []
        return [self.signal("PHISHING_MODEL", p, Evidence("message", detail=f"p={p:.3f}"))]
