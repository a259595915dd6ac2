"""Fit one linear text model (TF-IDF + linear SVM) and calibrate it inside the training data."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

Objective = Literal["max-recall-at-fpr", "max-f1"]


@dataclass(frozen=True, slots=True)
class Spec:
    """Hyperparameters and how the operating threshold is chosen (inside training folds)."""

    C: float = 3.0
    min_df: int = 2
    group_weights: dict[str, float] = field(default_factory=dict)  # extra weight per group
    objective: Objective = "max-f1"
    target_fpr: float = 0.0025  # for max-recall-at-fpr: ham above the threshold, at most
    inner_folds: int = 5
    seed: int = 0
    drop: tuple[str, ...] = ()  # token prefixes left out (a feature group switched off)
    grid: Grid | None = None  # when set, C, weights, target and drop are chosen by inner CV

    def describe(self) -> str:
        """The hyperparameters that a grid chooses, in one line (cards, reports)."""
        parts = [f"C={self.C:g}"]
        parts += [f"{g}x{w:g}" for g, w in sorted(self.group_weights.items())]
        if self.objective == "max-recall-at-fpr":
            parts.append(f"target={self.target_fpr:.2%}")
        parts.append("drop=" + ("+".join(self.drop) if self.drop else "none"))
        return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class Grid:
    """Candidate hyperparameters, judged inside the training data only (training/select.py).

    For max-recall-at-fpr the candidate with the highest recall whose cross-fitted false
    positive rate is at most `max_fpr` wins; for max-f1 the best cross-fitted F1.
    """

    C: tuple[float, ...] = (1.0,)
    weighted_group: str = ""  # the group whose extra weight is a choice (e.g. hard ham)
    group_weight: tuple[float, ...] = (1.0,)
    target_fpr: tuple[float, ...] = ()  # empty: the spec's own
    drop: tuple[tuple[str, ...], ...] = ((),)
    max_fpr: float = 0.004


@dataclass(frozen=True, slots=True)
class Fitted:
    vocab: list[str]
    idf: np.ndarray
    weight: np.ndarray
    bias: float
    decision: Callable[[Sequence[list[str]]], np.ndarray] = field(repr=False)


@dataclass(frozen=True, slots=True)
class Trained:
    """A fitted model with its calibration and threshold, both from inner cross-validation."""

    fitted: Fitted
    platt: tuple[float, float]
    threshold: float  # on the calibrated probability
    chosen: Spec  # the hyperparameters the inner cross-validation chose

    def probability(self, docs: Sequence[list[str]]) -> np.ndarray:
        return _sigmoid(self.platt, self.fitted.decision(docs))


def fit(docs: Sequence[list[str]], labels: np.ndarray, weights: np.ndarray, spec: Spec) -> Fitted:
    vec = vectorizer(spec)
    x = vec.fit_transform(kept(docs, spec.drop))
    svm = classifier(spec)
    svm.fit(x, labels, sample_weight=weights)

    def decision(more: Sequence[list[str]]) -> np.ndarray:
        x = vec.transform(kept(more, spec.drop))
        return np.asarray(svm.decision_function(x), dtype=np.float64)

    vocab = [str(t) for t in vec.get_feature_names_out()]
    return Fitted(vocab, vec.idf_.copy(), svm.coef_[0].copy(), float(svm.intercept_[0]), decision)


def vectorizer(spec: Spec) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        analyzer=_identity, sublinear_tf=True, min_df=spec.min_df, lowercase=False, dtype=np.float64
    )


def classifier(spec: Spec) -> Any:
    from sklearn.svm import LinearSVC

    return LinearSVC(C=spec.C, random_state=spec.seed, max_iter=20_000)


def kept(docs: Sequence[list[str]], drop: tuple[str, ...]) -> Sequence[list[str]]:
    """The documents without the tokens of the feature groups left out."""
    if not drop:
        return docs
    return [[t for t in doc if not t.startswith(drop)] for doc in docs]


def train(
    docs: Sequence[list[str]], labels: np.ndarray, groups: Sequence[str], spec: Spec
) -> Trained:
    """Hyperparameters, calibration and threshold from inner cross-validation of the
    training data alone (training/select.py), then a fit on all of it."""
    from aupguard.training.select import select

    chosen, scores = select(docs, labels, groups, spec)
    platt = fit_platt(scores, labels)
    margin = choose_threshold(scores, labels, chosen)
    threshold = float(_sigmoid(platt, np.asarray([margin]))[0])
    weights = sample_weights(labels, groups, chosen)
    return Trained(fit(docs, labels, weights, chosen), platt, threshold, chosen)


def sample_weights(labels: np.ndarray, groups: Sequence[str], spec: Spec) -> np.ndarray:
    """Classes balanced, then each group's extra weight (e.g. hard ham counts more)."""
    pos = max(1, int(labels.sum()))
    neg = max(1, len(labels) - pos)
    weights = np.where(labels == 1, 1.0, pos / neg)
    extra = np.asarray([spec.group_weights.get(g, 1.0) for g in groups])
    return np.asarray(weights * extra, dtype=np.float64)


def fit_platt(scores: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """Platt scaling: P(spam) = 1 / (1 + exp(-(a * score + b))), fitted on held-out scores."""
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=1e4, max_iter=1000)
    lr.fit(scores.reshape(-1, 1), labels)
    return float(lr.coef_[0][0]), float(lr.intercept_[0])


def choose_threshold(scores: np.ndarray, labels: np.ndarray, spec: Spec) -> float:
    """A margin threshold meeting the objective on held-out scores (never the reported data)."""
    if spec.objective == "max-recall-at-fpr":
        ham = np.sort(scores[labels == 0])[::-1]
        allowed = int(np.floor(spec.target_fpr * len(ham)))
        if allowed >= len(ham):
            return float(ham[-1])
        cut = ham[allowed]  # the first ham that must stay below the threshold
        above = scores[scores > cut]
        # halfway to the next higher score, so rounding in calibration cannot flip it
        return float((cut + above.min()) / 2) if above.size else float(cut + 1.0)
    order = np.argsort(-scores)
    ranked, hits = scores[order], labels[order]
    tp = np.cumsum(hits)
    fp = np.cumsum(1 - hits)
    f1 = 2 * tp / (tp + fp + hits.sum())
    last = np.r_[ranked[1:] != ranked[:-1], True]  # only cut between distinct scores
    best = int(np.argmax(np.where(last, f1, -1)))
    below = ranked[best + 1] if best + 1 < len(ranked) else ranked[best] - 1.0
    return float((ranked[best] + below) / 2)


def _sigmoid(platt: tuple[float, float], margins: np.ndarray) -> np.ndarray:
    a, b = platt
    return np.asarray(1.0 / (1.0 + np.exp(-(a * margins + b))), dtype=np.float64)


def _identity(doc: list[str]) -> list[str]:
    return doc
