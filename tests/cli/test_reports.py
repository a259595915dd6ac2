"""`aupguard reports parse`: kind, clause and keys per report; exit 1 with the reason."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from aupguard.cli.main import app
from tests.conftest import corpus

runner = CliRunner()


@pytest.mark.corpora
def test_invalid_xarf_exits_non_zero_with_the_field() -> None:
    bad = corpus("xarf-abusix-samples") / "samples/negative/3/invalid_date.json"
    good = corpus("xarf-v4-spec-samples") / "samples/v4/connection-port-scan.json"
    result = runner.invoke(app, ["reports", "parse", str(good), str(bad)])
    assert result.exit_code == 1
    assert "rejected: Report.Date: 'This is not a date' is not a 'date-time'" in result.stderr
    assert "2 reports read, 1 parsed, 1 rejected" in result.stdout


@pytest.mark.corpora
def test_jsonl_output_and_clean_exit() -> None:
    folder = corpus("xarf-v4-spec-samples") / "samples/v4"
    result = runner.invoke(app, ["reports", "parse", "-f", "jsonl", str(folder)])
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 32
    scan = next(r for r in rows if r["source"].endswith("connection-port-scan.json"))
    assert scan["report"]["clause"] == "unauthorized-access"
    assert scan["report"]["keys"]["sending_ips"][0]["ip"] == "198.51.100.150"
