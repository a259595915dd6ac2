"""`aupguard eval --table`: labelled texts from TSV or CSV, messy rows reported, not dropped silently."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from aupguard.cli.main import app
from aupguard.rules.load import DEFAULT_PATH

runner = CliRunner()
SPAM = "WINNER!! You have won a £1000 cash prize. To claim call 09061701461 now. 150p/min"
HAM = "Hi Sam, your appointment with Dr Patel is confirmed for Tuesday 3pm."


def enforcing_rules(tmp_path: Path) -> Path:
    """The shipped ruleset with the content models out of shadow, as an operator would."""
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    path = tmp_path / "rules.yaml"
    path.write_text(text.replace("{mode: shadow,", "{mode: enforce,"), encoding="utf-8")
    return path


def test_tsv_table(tmp_path: Path) -> None:
    tsv = tmp_path / "sms.tsv"
    tsv.write_text(
        f"spam\t{SPAM}\nham\t{HAM}\nham\tSee you at the cafe at noon\n", encoding="utf-8"
    )
    rules = enforcing_rules(tmp_path)
    args = ["eval", "--table", str(tsv), "--clause", "message-abuse", "--rules", str(rules)]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    numbers = json.loads(result.stdout)
    assert (numbers["positives"], numbers["negatives"], numbers["tp"], numbers["fp"]) == (
        1,
        2,
        1,
        0,
    )


def test_csv_table_with_other_labels_and_empty_rows(tmp_path: Path) -> None:
    csv_file = tmp_path / "set.csv"
    csv_file.write_text(
        f'LABEL,TEXT\nSpam,"{SPAM}"\nham,"{HAM}"\nsmishing,"Your bank card is blocked"\n,\n',
        encoding="utf-8",
    )
    result = runner.invoke(app, ["eval", "--table", str(csv_file), "--json"])
    assert result.exit_code == 0, result.output
    assert "1 rows with an empty label or text left out" in result.stderr
    assert "1 rows labelled smishing left out" in result.stderr
    assert json.loads(result.stdout)["positives"] == 1


def test_malformed_tsv_line_is_an_error(tmp_path: Path) -> None:
    tsv = tmp_path / "bad.tsv"
    tsv.write_text("spam no tab here\n", encoding="utf-8")
    result = runner.invoke(app, ["eval", "--table", str(tsv)])
    assert result.exit_code == 2
    assert "line 1: expected a label, a tab, then the text" in result.stderr
