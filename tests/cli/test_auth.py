"""`aupguard auth posture` from a zone file: table, JSON and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from aupguard.cli.main import app

ZONE = """
good.example TXT "v=spf1 -all"
s1._domainkey.good.example TXT "v=DKIM1; k=rsa; p=MIGf"
_dmarc.good.example TXT "v=DMARC1; p=reject; rua=mailto:d@good.example"
"""


def test_posture_exit_codes_and_json(tmp_path: Path) -> None:
    zone = tmp_path / "zone.txt"
    zone.write_text(ZONE)
    runner = CliRunner()
    ok = runner.invoke(
        app, ["auth", "posture", "good.example", "-s", "s1", "--zone", str(zone), "-f", "json"]
    )
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.output)["complete"] is True
    bad = runner.invoke(
        app, ["auth", "posture", "good.example", "bare.example", "-s", "s1", "--zone", str(zone)]
    )
    assert bad.exit_code == 1 and "bare.example" in bad.output


def test_posture_bad_zone_file_is_one_clear_error(tmp_path: Path) -> None:
    zone = tmp_path / "zone.txt"
    zone.write_text("good.example BOGUS x\n")
    result = CliRunner().invoke(app, ["auth", "posture", "good.example", "--zone", str(zone)])
    assert result.exit_code == 2 and "zone.txt:1" in result.output
