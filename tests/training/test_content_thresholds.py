"""scripts/content_thresholds.py: weights that keep the added false positives in bounds."""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path
from types import ModuleType

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "content_thresholds.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("content_thresholds", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_weight_adds_at_most_the_allowed_negatives_beyond_the_other_signals() -> None:
    ct = _script()
    rng = random.Random(1)
    rows = [(rng.betavariate(5, 2), [], 1) for _ in range(200)]
    rows += [(rng.betavariate(2, 5), [], 0) for _ in range(200)]
    rows += [(rng.random(), [0.4], 0) for _ in range(20)]  # a lure already flags these
    weight, flag = ct.choose(rows, 0.3, 0.59, 0.04)
    alone = ct.flagged_by(rows, 0.0, 0.3, 0)
    assert alone == 20
    assert 0 < weight <= 0.59 and flag == 0.3
    assert ct.flagged_by(rows, weight, flag, 0) - alone <= int(0.04 * 220)
    assert ct.flagged_by(rows, weight + 0.001, flag, 0) - alone > int(0.04 * 220)


def test_flag_threshold_is_lowered_only_when_the_weight_is_capped() -> None:
    ct = _script()
    rows = [(0.9, [], 1)] * 50 + [(0.1, [], 0)] * 50  # separable: the cap binds
    weight, flag = ct.choose(rows, 0.7, 1.0, 0.04)
    assert weight == 1.0 and flag < 0.7
    assert ct.flagged_by(rows, weight, flag, 0) <= 2 and ct.flagged_by(rows, weight, flag, 1) == 50


def test_a_model_that_may_hold_keeps_its_cap_and_raises_the_flag_threshold() -> None:
    """raise_flag: the same limit met by a higher flag threshold instead of a lower weight,
    so the model's strongest scores still reach the weight's cap (the hold level)."""
    ct = _script()
    rng = random.Random(2)
    rows = [(rng.betavariate(5, 2), [], 1) for _ in range(200)]
    rows += [(rng.betavariate(2, 5), [], 0) for _ in range(200)]
    lowered, at = ct.choose(rows, 0.3, 0.98, 0.04)
    weight, flag = ct.choose(rows, 0.3, 0.98, 0.04, raise_flag=True)
    assert lowered < 0.98 and at == 0.3  # the old way: the weight gives
    assert weight == 0.98 and flag > 0.3
    assert ct.flagged_by(rows, weight, flag, 0) <= int(0.04 * 200)
    assert ct.flagged_by(rows, weight, round(flag - 0.001, 3), 0) > int(0.04 * 200)
    positives = ct.flagged_by(rows, weight, flag, 1)
    assert abs(positives - ct.flagged_by(rows, lowered, at, 1)) <= 2  # about the same items
