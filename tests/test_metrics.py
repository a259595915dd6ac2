"""Quality numbers: Wilson intervals, confusion counts, PR curves; `aupguard eval` end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aupguard.cli.main import app
from aupguard.detectors.gtube import GTUBE
from aupguard.metrics import average_precision, pr_curve, quality, wilson
from tests.conftest import FIXTURES


def test_wilson_known_values() -> None:
    lo, hi = wilson(0, 100)
    assert lo == 0 and hi == pytest.approx(0.0370, abs=1e-4)
    lo, hi = wilson(50, 100)
    assert (lo, hi) == (pytest.approx(0.4038, abs=1e-4), pytest.approx(0.5962, abs=1e-4))


def test_quality_and_average_precision() -> None:
    q = quality([True, True, False, False], [True, False, True, False])
    assert (q.tp, q.fp, q.fn, q.tn) == (1, 1, 1, 1) and q.f1 == 0.5 and q.fpr == 0.5
    assert average_precision([True, False], [0.9, 0.1]) == 1.0
    assert pr_curve([True, False, True], [0.9, 0.5, 0.5])[-1] == (0.5, 2 / 3, 1.0)


def test_eval_command_counts_and_plots(tmp_path: Path) -> None:
    pos, neg = tmp_path / "pos", tmp_path / "neg"
    pos.mkdir()
    neg.mkdir()
    clean = (FIXTURES / "mail" / "plain.eml").read_text()
    for i in range(3):
        (pos / f"{i}.eml").write_text(clean.replace("Hi Sam", f"Hi {GTUBE}"))
        (neg / f"{i}.eml").write_text(clean)
    (neg / "extra.eml").write_text(clean.replace("Hi Sam", f"Hi {GTUBE}"))  # a false positive
    png = tmp_path / "pr.png"
    result = CliRunner().invoke(
        app,
        [
            "eval",
            "--pos",
            str(pos),
            "--neg",
            str(neg),
            "--json",
            "--clause",
            "message-abuse",
            "--plot",
            str(png),
            "-j",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    numbers = json.loads(result.stdout)
    assert (numbers["tp"], numbers["fp"], numbers["fn"], numbers["tn"]) == (3, 1, 0, 3)
    assert png.read_bytes().startswith(b"\x89PNG")
