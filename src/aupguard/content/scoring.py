"""Both stages on one analysis: the first for every message, the second only when needed."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np

from aupguard.content.features import TextAnalysis
from aupguard.content.models import Scores, encoder, encoder_text, linear_model, sigmoid
from aupguard.events.views import Views


@dataclass(frozen=True, slots=True)
class StagePolicy:
    """When the second stage runs: first-stage probability inside `band`, or at or above
    `high_from` (default: the band's lower end) for the `high` (high-severity) heads;
    never for the `skip` heads."""

    band: tuple[float, float] = (0.1, 0.8)
    high: frozenset[str] = frozenset()
    enabled: bool = True
    skip: frozenset[str] = frozenset()
    high_from: float | None = None

    def wants(self, head: str, p: float) -> bool:
        lo, hi = self.band
        if not self.enabled or head in self.skip:
            return False
        if head in self.high:
            return p >= (lo if self.high_from is None else self.high_from)
        return lo <= p <= hi


def score(
    analysis: TextAnalysis,
    policy: StagePolicy,
    heads: Collection[str],
    logits: np.ndarray,
) -> Scores:
    """Both stages for `heads`, from the first stage's `logits` (every head's)."""
    model = linear_model()
    first = {h: sigmoid(float(logits[i])) for i, h in enumerate(model.heads)}
    need = [h for h in heads if policy.wants(h, first[h])]
    second: dict[str, float] = {}
    if need and not analysis.empty:
        out = encoder().logits(encoder_text(analysis))
        second = {h: sigmoid(float(out[model.heads.index(h)])) for h in need}
    return Scores(first, second)


def scores_of(
    view: Views, analysis: TextAnalysis, policy: StagePolicy, heads: Collection[str]
) -> Scores:
    """Scores for `heads`, computed once per event and head (views.memo)."""
    memo = view.memo.setdefault("content.scores", {})
    assert isinstance(memo, dict)
    missing = [h for h in heads if h not in memo]
    if missing:
        # The first stage scores every head in one pass: kept for the next detector that
        # asks for other heads (content models, then agent misrepresentation).
        logits = view.memo.get("content.logits")
        if not isinstance(logits, np.ndarray):
            logits = view.memo["content.logits"] = linear_model().logits(analysis)
        got = score(analysis, policy, missing, logits)
        for h in missing:
            memo[h] = (got.first[h], got.second.get(h))
    first = {h: memo[h][0] for h in heads}
    second = {h: memo[h][1] for h in heads if memo[h][1] is not None}
    return Scores(first, second)
