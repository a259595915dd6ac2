"""`aupguard eval --evalset`: labelled JSON Lines per clause, English and the rest apart."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from aupguard.cli.main import app

ROWS = [
    {"id": "x-d-0001", "set": "violence", "clause": "violence", "label": 1, "channel": "sms",
     "text": "Pay by Friday or we will burn down your shop with you inside. Last warning."},
    {"id": "x-d-0002", "set": "violence", "clause": "violence", "label": 0, "channel": "sms",
     "text": "History club tonight: the causes of the First World War."},
    {"id": "x-d-0003", "set": "violence", "clause": "violence", "label": 0, "channel": "chat",
     "turns": [{"role": "customer", "text": "I will kill you if my internet fails again"},
               {"role": "agent", "text": "I understand, let me book an engineer for tomorrow."}]},
    {"id": "x-d-0004", "set": "violence", "clause": "violence", "label": 0, "channel": "sms",
     "lang": "pl", "text": "Zajęcia z historii dziś wieczorem w bibliotece miejskiej o siódmej."},
]  # fmt: skip


def test_eval_evalset_reports_parts(tmp_path: Path) -> None:
    path = tmp_path / "v.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in ROWS) + "\n")
    r = CliRunner().invoke(app, ["eval", "--evalset", str(path), "--clause", "violence"])
    assert r.exit_code == 0, r.output
    result = json.loads(r.output)
    assert result["all"]["items"] == 4 and result["en"]["items"] == 3
    assert result["other"]["items"] == 1
    assert result["all"]["fp"] == 0 and result["all"]["tp"] == 1


def test_eval_evalset_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    r = runner.invoke(
        app, ["eval", "--evalset", str(tmp_path / "none.jsonl"), "--clause", "violence"]
    )
    assert r.exit_code != 0 and "no such file" in r.output
    r = runner.invoke(app, ["eval", "--evalset", str(tmp_path / "none.jsonl")])
    assert r.exit_code != 0 and "--clause" in r.output
    r = runner.invoke(app, ["eval"])
    assert r.exit_code != 0


def test_train_needs_the_dev_halves(tmp_path: Path) -> None:
    r = CliRunner().invoke(app, ["train", "harmful", "--evalsets", str(tmp_path)])
    assert r.exit_code != 0 and "dev" in r.output
