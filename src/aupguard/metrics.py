"""Detection quality: confusion counts, Wilson intervals, precision-recall curves."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


def wilson(successes: int, total: int, z: float = 1.959964) -> tuple[float, float]:
    """95 % Wilson score interval of a proportion (sound for 0 and small counts)."""
    if total == 0:
        return (0.0, 1.0)
    p = successes / total
    denom = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denom
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True, slots=True)
class Quality:
    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def fpr(self) -> float:
        return self.fp / (self.fp + self.tn) if self.fp + self.tn else 0.0

    def intervals(self) -> dict[str, tuple[float, float]]:
        return {
            "precision": wilson(self.tp, self.tp + self.fp),
            "recall": wilson(self.tp, self.tp + self.fn),
            "fpr": wilson(self.fp, self.fp + self.tn),
        }


def quality(labels: Sequence[bool], predicted: Sequence[bool]) -> Quality:
    tp = sum(1 for y, p in zip(labels, predicted, strict=True) if y and p)
    fp = sum(1 for y, p in zip(labels, predicted, strict=True) if not y and p)
    fn = sum(1 for y, p in zip(labels, predicted, strict=True) if y and not p)
    return Quality(tp, fp, fn, len(labels) - tp - fp - fn)


def pr_curve(labels: Sequence[bool], scores: Sequence[float]) -> list[tuple[float, float, float]]:
    """(threshold, precision, recall) at every distinct score, highest first."""
    pairs = sorted(zip(scores, labels, strict=True), key=lambda x: -x[0])
    positives = sum(labels)
    out: list[tuple[float, float, float]] = []
    tp = fp = 0
    for i, (score, label) in enumerate(pairs):
        tp += label
        fp += not label
        if i + 1 == len(pairs) or pairs[i + 1][0] != score:
            out.append((score, tp / (tp + fp), tp / positives if positives else 0.0))
    return out


def average_precision(labels: Sequence[bool], scores: Sequence[float]) -> float:
    """Area under the precision-recall curve (step-wise, as average precision)."""
    area, last_recall = 0.0, 0.0
    for _, precision, recall in pr_curve(labels, scores):
        area += precision * (recall - last_recall)
        last_recall = recall
    return area
