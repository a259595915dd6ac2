"""Hyperparameters chosen inside the training data: a small grid judged by inner cross-validation.

Each candidate (C, the weighted group's extra weight, the inner false-positive target, the
feature groups left out) gets out-of-fold margins from the same inner folds; the documents
are vectorised once per fold and feature choice and every SVM of the grid reuses them.
A candidate is judged with *cross-fitted* thresholds: the threshold for one inner fold is
chosen on the other folds' margins, so a target that overfits its own scores shows it.
Nothing here sees the outer fold that is reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from aupguard.training.fit import (
    Grid,
    Spec,
    choose_threshold,
    classifier,
    kept,
    sample_weights,
    vectorizer,
)


def candidates(spec: Spec) -> list[Spec]:
    """Every combination of the spec's grid (the spec itself when it has none), in order."""
    grid = spec.grid or Grid(
        C=(spec.C,), drop=(spec.drop,), target_fpr=(spec.target_fpr,), group_weight=(1.0,)
    )
    targets = grid.target_fpr or (spec.target_fpr,)
    out: list[Spec] = []
    for drop in grid.drop:
        for c in grid.C:
            for gw in grid.group_weight:
                weights = dict(spec.group_weights)
                if grid.weighted_group:
                    weights[grid.weighted_group] = gw
                out.extend(
                    replace(spec, C=c, group_weights=weights, target_fpr=t, drop=drop, grid=None)
                    for t in targets
                )
    return out


def select(
    docs: Sequence[list[str]], labels: np.ndarray, groups: Sequence[str], spec: Spec
) -> tuple[Spec, np.ndarray]:
    """The chosen hyperparameters and their out-of-fold margins on this training data."""
    from sklearn.model_selection import StratifiedKFold

    cands = candidates(spec)
    inner = StratifiedKFold(spec.inner_folds, shuffle=True, random_state=spec.seed + 1)
    folds = list(inner.split(np.zeros(len(labels)), labels))
    fold_of = np.zeros(len(labels), dtype=int)
    for k, (_, b) in enumerate(folds):
        fold_of[b] = k
    models = {_model_key(c): c for c in reversed(cands)}  # one fit per model, any target
    margins = {key: np.zeros(len(labels)) for key in models}
    for drop in dict.fromkeys(c.drop for c in cands):
        views = kept(docs, drop)
        for a, b in folds:
            vec = vectorizer(spec)
            xa = vec.fit_transform([views[i] for i in a])
            xb = vec.transform([views[i] for i in b])
            for key, c in models.items():
                if c.drop == drop:
                    weights = sample_weights(labels, groups, c)
                    svm = classifier(c).fit(xa, labels[a], sample_weight=weights[a])
                    margins[key][b] = svm.decision_function(xb)
    best = max(
        range(len(cands)),
        key=lambda i: _merit(cands[i], margins[_model_key(cands[i])], labels, fold_of, spec),
    )
    chosen = cands[best]
    return chosen, margins[_model_key(chosen)]


def _model_key(c: Spec) -> tuple[tuple[str, ...], float, str]:
    return (c.drop, c.C, repr(sorted(c.group_weights.items())))


def _merit(
    c: Spec, scores: np.ndarray, labels: np.ndarray, fold_of: np.ndarray, spec: Spec
) -> tuple[float, ...]:
    """How good a candidate is with thresholds cross-fitted over the inner folds (higher wins;
    ties go to the earlier, simpler candidate because `max` keeps the first)."""
    predicted = np.zeros(len(labels), dtype=bool)
    for k in range(int(fold_of.max()) + 1):
        out = fold_of == k
        cut = choose_threshold(scores[~out], labels[~out], c)
        predicted[out] = scores[out] >= cut
    spam = labels == 1
    tp = int((predicted & spam).sum())
    fp = int((predicted & ~spam).sum())
    recall = tp / max(1, int(spam.sum()))
    fpr = fp / max(1, int((~spam).sum()))
    if c.objective == "max-f1":
        f1 = 2 * tp / max(1, tp + fp + int(spam.sum()))
        return (f1,)
    limit = spec.grid.max_fpr if spec.grid else c.target_fpr
    within = fpr <= limit
    # Within the limit: the best recall. Outside it: the fewest false positives first.
    return (1.0, recall, -fpr) if within else (0.0, -fpr, recall)
