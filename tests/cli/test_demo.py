"""The README's main command: the demo seeds tenants and traffic and finds the violations."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from aupguard.cli.main import app


def test_demo_decides_and_shows_cases(tmp_path: Path, monkeypatch: object) -> None:
    result = CliRunner().invoke(
        app, ["demo", "--folder", str(tmp_path / "demo"), "--no-serve"], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "initech-it" in out and "suspended" in out  # EICAR: suspended at once
    assert "message-abuse" in out and "malware" in out
    assert (tmp_path / "demo" / "aupguard.db").exists()
