"""Hyperparameters chosen by inner cross-validation of the training data alone."""

from __future__ import annotations

import random

import numpy as np

from aupguard.training.fit import Grid, Spec, train
from aupguard.training.select import candidates, select


def _data(n: int = 120) -> tuple[list[list[str]], np.ndarray, list[str]]:
    """Spam carries the `w:` words; `z:` tokens are noise shared by both classes."""
    rng = random.Random(7)
    docs: list[list[str]] = []
    labels: list[int] = []
    for i in range(n):
        spam = i % 3 == 0
        words = ["w:cheap", "w:pills", "w:now"] if spam else ["w:meeting", "w:noon", "w:agenda"]
        noise = [f"z:{rng.randrange(6)}" for _ in range(4)]
        docs.append(rng.sample(words, 2) + noise)
        labels.append(int(spam))
    return docs, np.asarray(labels), ["spam" if x else "ham" for x in labels]


def test_the_grid_is_every_combination_in_order() -> None:
    spec = Spec(
        objective="max-recall-at-fpr",
        grid=Grid(C=(1.0, 3.0), weighted_group="hard", group_weight=(1.0, 2.0), target_fpr=(0.01,)),
    )
    found = candidates(spec)
    assert len(found) == 4
    assert [c.C for c in found] == [1.0, 1.0, 3.0, 3.0]
    assert [c.group_weights["hard"] for c in found] == [1.0, 2.0, 1.0, 2.0]
    assert all(c.grid is None for c in found)


def test_a_feature_group_that_carries_the_signal_is_never_left_out() -> None:
    docs, labels, groups = _data()
    # the useless choice comes first: ties would keep it, so only merit can pick the other
    spec = Spec(min_df=1, objective="max-f1", grid=Grid(C=(1.0,), drop=(("w:",), ())))
    chosen, margins = select(docs, labels, groups, spec)
    assert chosen.drop == ()
    assert margins.shape == (len(labels),) and margins[labels == 1].mean() > 0
    model = train(docs, labels, groups, spec)
    assert model.chosen.drop == () and "w:cheap" in model.fitted.vocab
    assert model.probability([["w:cheap", "w:now"]])[0] >= model.threshold


def test_the_recall_objective_respects_the_false_positive_limit() -> None:
    docs, labels, groups = _data()
    spec = Spec(
        min_df=1,
        objective="max-recall-at-fpr",
        grid=Grid(C=(0.5, 2.0), drop=(("w:",), ()), max_fpr=0.02),
    )
    chosen, _ = select(docs, labels, groups, spec)
    assert chosen.drop == ()  # without the words, no threshold keeps ham under 2 %
    assert "drop=none" in chosen.describe()
