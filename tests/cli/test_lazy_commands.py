"""Commands are imported when used: starting one does not import every other one."""

from __future__ import annotations

import subprocess
import sys

from typer.testing import CliRunner

from aupguard.cli.main import _ENTRIES, app


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\nprint(' '.join(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return set(out.stdout.split())


def test_importing_the_cli_imports_no_command_module() -> None:
    loaded = _modules_after("import aupguard.cli.main")
    assert not {m for m, _, _ in _ENTRIES.values()} & loaded
    assert "fastapi" not in loaded and "sqlalchemy" not in loaded


def test_scan_help_loads_scan_only() -> None:
    code = (
        "from typer.testing import CliRunner\nfrom aupguard.cli.main import app\n"
        "assert CliRunner().invoke(app, ['scan', '--help']).exit_code == 0"
    )
    loaded = _modules_after(code)
    assert "aupguard.cli.scan" in loaded
    assert "aupguard.cli.serve" not in loaded and "aupguard.cli.gateways" not in loaded


def test_every_command_is_listed_and_loads() -> None:
    result = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for name in _ENTRIES:
        assert f" {name} " in result.output, name
        assert CliRunner().invoke(app, [name, "--help"]).exit_code == 0, name
