"""The enforcement commands end to end on SQLite: tenants, decide, cases, appeals, policy."""

from __future__ import annotations

from pathlib import Path

import yaml
from typer.testing import CliRunner

from aupguard.aup.load import DEFAULT_PATH
from aupguard.cli.main import app
from aupguard.detectors.eicar import EICAR

runner = CliRunner()


def run(*args: str) -> str:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.stdout


def test_tenant_decide_case_appeal_publish(tmp_path: Path, monkeypatch: object) -> None:
    db = f"sqlite:///{tmp_path / 'a.db'}"
    monkeypatch.setenv("AUPGUARD_HOME", str(tmp_path / "home"))  # type: ignore[attr-defined]
    run("tenants", "add", "acme", "Acme Dental", "--email", "abuse@acme.example", "--db", db)
    out = run("tenants", "identity", "acme", "domain", "acme.example", "--db", db)
    assert "_aupguard.acme.example" in out and "aupguard-verification=" in out
    run("tenants", "identity", "acme", "number", "+15550100001", "--db", db)
    assert "verified number" in run("tenants", "verify", "2", "--record", "reg-1", "--db", db)
    no_record = runner.invoke(app, ["tenants", "identity", "acme", "sender_id", "ACME", "--db", db])
    assert no_record.exit_code == 0
    refused = runner.invoke(app, ["tenants", "verify", "3", "--db", db])
    assert refused.exit_code == 2 and "registration or assignment record" in refused.stderr

    events = tmp_path / "events.jsonl"
    events.write_text(
        '{"id": "e1", "channel": "sms", "tenant": "acme", "text": "'
        + EICAR.decode().replace("\\", "\\\\")
        + '"}\n'
        '{"id": "e2", "channel": "sms", "tenant": "acme", "text": "See you at 10"}\n'
    )
    assert "2 events decided (2 block)" in run("decide", str(events), "--db", db)
    assert "AUP-000001" in run("cases", "list", "--db", db)
    assert "suspend" in run("cases", "show", "1", "--db", db)
    assert "suspended" in run("tenants", "list", "--db", db)
    run("appeals", "file", "1", "acme", "our AV test", "--db", db)
    assert "overturned" in run("appeals", "decide", "1", "overturn", "test file", "--db", db)
    assert "active" in run("tenants", "list", "--db", db)
    assert "malware" in run("appeals", "rates", "--db", db)

    data = yaml.safe_load(DEFAULT_PATH.read_text())
    data["version"] = "1.1"
    new = tmp_path / "aup-1.1.yaml"
    new.write_text(yaml.safe_dump(data))
    assert "AUP 1.1 published" in run("policy", "publish", str(new), "--db", db)
    again = runner.invoke(app, ["policy", "publish", str(new), "--db", db])
    assert again.exit_code == 2 and "published already" in again.stderr
    run("policy", "accept", "acme", "1.1", "--db", db)
    assert "explicit" in run("policy", "acceptance", "1.1", "--db", db)
    assert "1.1" in run("policy", "history", "--db", db)
