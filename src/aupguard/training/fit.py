"""Fit one linear text model (TF-IDF + linear SVM) and calibrate it inside the training data."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

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

    def probability(self, docs: Sequence[list[str]]) -> np.ndarray:
        return _sigmoid(self.platt, self.fitted.decision(docs))


def fit(docs: Sequence[list[str]], labels: np.ndarray, weights: np.ndarray, spec: Spec) -> Fitted:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    vec = TfidfVectorizer(
        analyzer=_identity, sublinear_tf=True, min_df=spec.min_df, lowercase=False, dtype=np.float64
    )
    x = vec.fit_transform(docs)
    svm = LinearSVC(C=spec.C, random_state=spec.seed, max_iter=20_000)
    svm.fit(x, labels, sample_weight=weights)

    def decision(more: Sequence[list[str]]) -> np.ndarray:
        return np.asarray(svm.decision_function(vec.transform(more)), dtype=np.float64)

    vocab = [str(t) for t in vec.get_feature_names_out()]
    return Fitted(vocab, vec.idf_.copy(), svm.coef_[0].copy(), float(svm.intercept_[0]), decision)


def train(
    docs: Sequence[list[str]], labels: np.ndarray, groups: Sequence[str], spec: Spec
) -> Trained:
    """Calibration and threshold from out-of-fold scores of the training data, then a full fit."""
    from sklearn.model_selection import StratifiedKFold

    weights = sample_weights(labels, groups, spec)
    scores = np.zeros(len(labels))
    inner = StratifiedKFold(spec.inner_folds, shuffle=True, random_state=spec.seed + 1)
    for a, b in inner.split(np.zeros(len(labels)), labels):
        part = fit([docs[i] for i in a], labels[a], weights[a], spec)
        scores[b] = part.decision([docs[i] for i in b])
    platt = fit_platt(scores, labels)
    margin = choose_threshold(scores, labels, spec)
    threshold = float(_sigmoid(platt, np.asarray([margin]))[0])
    return Trained(fit(docs, labels, weights, spec), platt, threshold)


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
