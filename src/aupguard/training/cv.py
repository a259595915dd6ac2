"""Nested cross-validation: outer folds report; inner folds choose hyperparameters and threshold."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from aupguard.metrics import average_precision, quality, wilson
from aupguard.training.corpora import LabelledSet
from aupguard.training.fit import Spec, train


@dataclass(frozen=True, slots=True)
class CvReport:
    folds: int
    items: int
    spam: int
    ham: int
    tp: int
    fp: int
    fn: int
    tn: int
    precision: float
    recall: float
    f1: float
    fpr: float
    fpr_ci95: tuple[float, float]
    recall_ci95: tuple[float, float]
    auprc: float
    thresholds: tuple[float, ...]  # per outer fold, each chosen inside its training part
    chosen: tuple[str, ...]  # per outer fold: the hyperparameters its inner CV chose
    by_group: tuple[tuple[str, int, int], ...]  # (group, items, flagged as spam)

    def as_dict(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self.__slots__}


def cross_validate(
    data: LabelledSet, spec: Spec, folds: int, on_fold: Callable[[int], None] = lambda i: None
) -> CvReport:
    """Stratified k-fold; every reported prediction comes from a model that never saw it."""
    from sklearn.model_selection import StratifiedKFold

    labels = np.asarray(data.labels, dtype=int)
    probability = np.zeros(len(labels))
    predicted = np.zeros(len(labels), dtype=bool)
    thresholds: list[float] = []
    chosen: list[str] = []
    outer = StratifiedKFold(folds, shuffle=True, random_state=spec.seed)
    for i, (tr, te) in enumerate(outer.split(np.zeros(len(labels)), labels)):
        model = train([data.docs[j] for j in tr], labels[tr], [data.groups[j] for j in tr], spec)
        probability[te] = model.probability([data.docs[j] for j in te])
        predicted[te] = probability[te] >= model.threshold
        thresholds.append(model.threshold)
        chosen.append(model.chosen.describe())
        on_fold(i + 1)
    q = quality([bool(v) for v in labels], [bool(v) for v in predicted])
    groups = sorted(set(data.groups))
    by_group = tuple(
        (
            g,
            sum(1 for x in data.groups if x == g),
            int(sum(p for x, p in zip(data.groups, predicted, strict=True) if x == g)),
        )
        for g in groups
    )
    return CvReport(
        folds=folds,
        items=len(labels),
        spam=int(labels.sum()),
        ham=int(len(labels) - labels.sum()),
        tp=q.tp,
        fp=q.fp,
        fn=q.fn,
        tn=q.tn,
        precision=q.precision,
        recall=q.recall,
        f1=q.f1,
        fpr=q.fpr,
        fpr_ci95=wilson(q.fp, q.fp + q.tn),
        recall_ci95=wilson(q.tp, q.tp + q.fn),
        auprc=average_precision([bool(v) for v in labels], probability.tolist()),
        thresholds=tuple(thresholds),
        chosen=tuple(chosen),
        by_group=by_group,
    )
