"""`aupguard audit keygen|checkpoint|verify|show` end to end on a database."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from typer.testing import CliRunner

from aupguard.cli.main import app
from aupguard.store.db import Store
from tests.audit.helpers import build_chain, sql

runner = CliRunner()
ENV = {"COLUMNS": "200", "AUPGUARD_AUDIT_KEY": "", "AUPGUARD_AUDIT_CHECKPOINTS": ""}


def test_keygen_checkpoint_verify_and_tampering(db_url: str, tmp_path: Path) -> None:
    store = Store(db_url)
    build_chain(store, entries=6, verdicts=3)
    with store.write() as s:  # three more verdicts for `checkpoint` to seal
        from tests.audit.helpers import verdict

        s.add_all(verdict(n) for n in range(4, 7))
    key = tmp_path / "secrets" / "audit.key"
    env = {**ENV, "AUPGUARD_AUDIT_KEY": str(key), "AUPGUARD_DB_URL": db_url}

    made = runner.invoke(app, ["audit", "keygen", str(key)], env=env)
    assert made.exit_code == 0, made.output
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert runner.invoke(app, ["audit", "keygen", str(key)], env=env).exit_code == 2

    signed = runner.invoke(app, ["audit", "checkpoint", "--max-batch", "2"], env=env)
    assert signed.exit_code == 0, signed.output
    assert "sealed 2 verdict batch(es)" in signed.stdout
    assert (tmp_path / "secrets" / "checkpoints" / "9.json").exists()

    ok = runner.invoke(app, ["audit", "verify"], env=env)
    assert ok.exit_code == 0, ok.output
    assert ok.stdout.startswith("ok: 9 entries (head 9 sha256:")
    assert (
        "3 verdict batch(es) (6 verdicts sealed, 0 unsealed), 2 signed checkpoint(s)" in ok.stdout
    )

    shown = runner.invoke(app, ["audit", "show", "--kind", "verdict_batch", "--json"], env=env)
    assert [json.loads(line)["seq"] for line in shown.stdout.splitlines()] == [7, 8, 9]

    sql(store, 'UPDATE audit SET data = \'{"tenant": "t2"}\' WHERE seq = 2')
    edited = runner.invoke(app, ["audit", "verify"], env=env)
    assert edited.exit_code == 1
    assert "FAILED: entry 2 was edited" in edited.stderr

    sql(store, "DELETE FROM audit WHERE seq >= 8")
    cut = runner.invoke(app, ["audit", "verify", "--public-key", f"{key}.pub"], env=env)
    assert cut.exit_code == 1
    assert "also: entries 8..9 missing: the chain ends at entry 7" in cut.stderr
    store.dispose()


def test_verify_without_a_key_warns_and_checks_the_chain(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    build_chain(Store(url), entries=2, verdicts=0)
    result = runner.invoke(app, ["audit", "verify", "--db", url], env=ENV)
    assert result.exit_code == 0, result.output
    assert "warning: no key" in result.stderr
    assert "checkpoints not checked" in result.stdout


def test_missing_database_is_one_clear_error(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'nope.db'}"
    result = runner.invoke(app, ["audit", "verify", "--db", url], env=ENV)
    assert result.exit_code == 2
    assert "no database at" in result.stderr
