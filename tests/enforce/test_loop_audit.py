"""Issue 3's loop end to end with the audit trail: every step chained, tampering named."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from typer.testing import CliRunner

from aupguard.cli.main import app
from aupguard.enforce.appeals import decide_appeal, file_appeal
from aupguard.store.models import Action, AuditEntry
from tests.enforce.helpers import EICAR_TEXT, T0, add_tenant, decider, sms

runner = CliRunner()


def test_loop_then_audit_verify_passes_and_names_tampering(db_url: str, tmp_path: Path) -> None:
    d = decider(db_url, tmp_path)
    add_tenant(d)
    assert d.decide(sms("e1", EICAR_TEXT)).action == "block"  # suspended at once
    assert d.decide(sms("e2", "see you at 10", minutes=1)).action == "block"  # refused
    assert d.decide(sms("m1", "you won the lottery", minutes=2)).action == "block"  # still refused
    with d.store.write() as s:
        suspend = s.query(Action).filter_by(kind="suspend").one()
        appeal = file_appeal(s, suspend.id, "acme", "our AV test", T0)
    with d.store.write() as s:
        decide_appeal(
            s, appeal.id, "reviewer:ana", True, "harmless", d.engine.document, T0, d.settings
        )
    d.reload()
    assert d.decide(sms("e3", "see you at 11", minutes=3)).action == "allow"
    hold = d.decide(sms("m2", "lottery prize waiting", minutes=4))
    assert hold.action == "hold"  # a model alone holds, it does not suspend

    key = tmp_path / "keys" / "audit.key"
    env = {"AUPGUARD_AUDIT_KEY": str(key), "AUPGUARD_HOME": str(tmp_path / "home")}
    assert runner.invoke(app, ["audit", "keygen", str(key)], env=env).exit_code == 0
    made = runner.invoke(app, ["audit", "checkpoint", "--db", db_url], env=env)
    assert made.exit_code == 0, made.output
    ok = runner.invoke(app, ["audit", "verify", "--db", db_url], env=env)
    assert ok.exit_code == 0, ok.output
    with d.store.read() as s:
        shown = " ".join(e.kind for e in s.query(AuditEntry).order_by(AuditEntry.seq))
    for step in (
        "action.suspend",
        "appeal.file",
        "appeal.overturned",
        "action.reinstate",
        "verdict_batch",
    ):
        assert step in shown, step

    with d.store.write() as s:  # a row edited by hand
        s.execute(text("UPDATE audit SET subject = 'tenant:someone-else' WHERE seq = 3"))
    edited = runner.invoke(app, ["audit", "verify", "--db", db_url], env=env)
    assert edited.exit_code == 1 and "entry 3" in edited.stdout + edited.stderr
    with d.store.write() as s:  # undo, then cut the tail of the chain
        s.execute(text("DELETE FROM audit WHERE seq >= 3"))
    cut = runner.invoke(app, ["audit", "verify", "--db", db_url], env=env)
    assert cut.exit_code == 1 and "missing" in cut.stdout + cut.stderr
