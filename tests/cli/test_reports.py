"""`aupguard reports parse`: kind, clause and keys per report; exit 1 with the reason."""

from __future__ import annotations

import json
import mailbox
import os
import re
import smtplib
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from aupguard.cli.main import app
from aupguard.store.db import Store
from aupguard.store.models import ReportRow
from tests.conftest import corpus
from tests.reports.helpers import arf_message
from tests.servers import free_port

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


def test_ingest_prints_references_and_exits_non_zero_naming_the_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUPGUARD_HOME", str(tmp_path / "home"))
    db = f"sqlite:///{tmp_path / 'a.db'}"
    good = tmp_path / "fbl.eml"
    good.write_bytes(arf_message())
    box = tmp_path / "box"
    maildir = mailbox.Maildir(box)
    maildir.add(arf_message(message_id="<other@isp.example>"))  # the same incident again
    result = runner.invoke(app, ["reports", "ingest", str(good), str(box), "--db", db])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert re.search(r"fbl.eml: rpt-[a-z2-7]{13} triage$", lines[0])
    assert "duplicate of rpt-" in lines[1] and "2 reports read, 2 taken in, 0 rejected" in lines[2]
    bad = tmp_path / "bad.json"
    bad.write_text('{"Version": "3", "Report": {}}')
    result = runner.invoke(app, ["reports", "ingest", str(bad), "--db", db])
    assert result.exit_code == 1
    assert re.search(r"bad.json: rejected \(rej-[a-z2-7]{13}\): Report.ReportType: ", result.stderr)


@pytest.mark.corpora
def test_ingest_rejects_an_invalid_abusix_sample(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUPGUARD_HOME", str(tmp_path / "home"))
    bad = corpus("xarf-abusix-samples") / "samples/negative/3/invalid_date.json"
    result = runner.invoke(
        app, ["reports", "ingest", str(bad), "--db", f"sqlite:///{tmp_path}/a.db"]
    )
    assert result.exit_code == 1
    assert "Report.Date: 'This is not a date' is not a 'date-time'" in result.stderr


def test_listen_takes_mail_into_the_store(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'a.db'}"
    port = free_port()
    env = {**os.environ, "AUPGUARD_HOME": str(tmp_path / "home")}
    command = [sys.executable, "-m", "aupguard.cli.main", "reports", "listen", "--db", db]
    proc = subprocess.Popen([*command, "--port", str(port)], env=env, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                smtp = smtplib.SMTP("127.0.0.1", port, timeout=5)
                break
            except OSError:
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else b""
                assert time.monotonic() < deadline, "the listener did not start"
                time.sleep(0.2)
        with smtp:
            smtp.ehlo()
            smtp.mail("fbl@isp.example")
            smtp.rcpt("abuse@platform.example")
            code, answer = smtp.data(arf_message())
        assert code == 250 and b"reference rpt-" in answer
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    store = Store(db)
    with store.read() as s:
        row = s.execute(select(ReportRow)).scalar_one()
        assert row.state == "triage" and row.channel == "mailbox"
    store.dispose()
