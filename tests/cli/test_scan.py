"""`aupguard scan`: formats, exit codes, per-file errors, parallel workers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aupguard.cli.main import app
from aupguard.detectors.eicar import EICAR
from aupguard.detectors.gtube import GTUBE
from tests.conftest import FIXTURES, corpus

runner = CliRunner()


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    (tmp_path / "clean.eml").write_bytes((FIXTURES / "mail" / "plain.eml").read_bytes())
    (tmp_path / "eicar.com").write_bytes(EICAR)
    spam = (FIXTURES / "mail" / "plain.eml").read_text().replace("Hi Sam", f"Hi {GTUBE}")
    (tmp_path / "spam.eml").write_text(spam)
    (tmp_path / "garbage.eml").write_bytes(b"\x00\x9f garbage, not a message")
    (tmp_path / "cut.eml").write_bytes((FIXTURES / "mail" / "truncated.eml").read_bytes())
    (tmp_path / "events.jsonl").write_text('{"channel": "sms", "text": "See you at 10!"}\n')
    return tmp_path


def jsonl(output: str) -> dict[str, dict[str, object]]:
    rows = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    return {Path(str(r["source"])).name: r for r in rows}


def test_jsonl_rows_have_action_clauses_and_every_score(inbox: Path) -> None:
    result = runner.invoke(app, ["scan", str(inbox), "-f", "jsonl", "--fail-on", "never"])
    assert result.exit_code == 0, result.output
    rows = jsonl(result.stdout)
    assert rows["eicar.com"]["action"] == "block" and rows["eicar.com"]["clauses"] == ["malware"]
    assert rows["spam.eml"]["clauses"] == ["message-abuse"]
    assert rows["clean.eml"]["action"] == "allow"
    assert "events.jsonl:1" in rows and len(rows["clean.eml"]["scores"]) == 10  # type: ignore[arg-type]
    assert "garbage.eml" not in rows


def test_errors_are_one_line_each_and_the_run_goes_on(inbox: Path) -> None:
    result = runner.invoke(app, ["scan", str(inbox), "-f", "jsonl", "--fail-on", "never"])
    err = result.stderr.splitlines()
    assert any(
        line.endswith("garbage.eml: error: not an RFC 5322 message: line 1 is not a header field")
        for line in err
    )
    assert any("cut.eml: warning: truncated" in line for line in err)
    assert len(jsonl(result.stdout)) == 5


@pytest.mark.parametrize(
    ("fail_on", "code"), [("block", 1), ("hold", 1), ("flag", 1), ("never", 0)]
)
def test_exit_code_follows_fail_on(inbox: Path, fail_on: str, code: int) -> None:
    result = runner.invoke(app, ["scan", str(inbox), "-f", "jsonl", "--fail-on", fail_on])
    assert result.exit_code == code


def test_clean_input_exits_zero_and_strict_fails_on_unreadable(tmp_path: Path) -> None:
    (tmp_path / "ok.eml").write_bytes((FIXTURES / "mail" / "plain.eml").read_bytes())
    assert runner.invoke(app, ["scan", str(tmp_path)]).exit_code == 0
    (tmp_path / "empty.eml").write_bytes(b"")
    assert runner.invoke(app, ["scan", str(tmp_path)]).exit_code == 0
    assert runner.invoke(app, ["scan", str(tmp_path), "--strict"]).exit_code == 2


def test_parallel_jobs_give_the_same_rows(inbox: Path) -> None:
    one = runner.invoke(app, ["scan", str(inbox), "-f", "jsonl", "--fail-on", "never"])
    two = runner.invoke(app, ["scan", str(inbox), "-f", "jsonl", "--fail-on", "never", "-j", "2"])
    assert jsonl(one.stdout) == jsonl(two.stdout)


def test_table_and_json_formats(inbox: Path) -> None:
    table = runner.invoke(app, ["scan", str(inbox), "--fail-on", "never"])
    assert "Summary per clause" in table.stdout and "malware" in table.stdout
    doc = json.loads(runner.invoke(app, ["scan", str(inbox), "-f", "json"]).stdout)
    assert doc["summary"]["actions"]["block"] == 2 and doc["summary"]["errors"] == 1


def test_corpora_testdata_and_eicar() -> None:
    testdata, eicar = corpus("spamassassin-testdata"), corpus("eicar")
    result = runner.invoke(app, ["scan", str(testdata), str(eicar), "-f", "jsonl", "-j", "2"])
    assert result.exit_code == 1
    rows = jsonl(result.stdout)
    assert rows["eicar.txt"]["clauses"] == ["malware"] and rows["eicar.txt"]["action"] == "block"
    assert rows["sample-spam.txt"]["clauses"] == ["message-abuse"]
    assert rows["sample-nonspam.txt"]["action"] == "allow"
    assert "bsmtpnull: error: empty file" in result.stderr
