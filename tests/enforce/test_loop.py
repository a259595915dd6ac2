"""The whole loop on a real database: suspend on EICAR, refuse, appeal, reinstate, hold."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from aupguard.audit.merkle import record_digest
from aupguard.enforce.appeals import decide_appeal, file_appeal
from aupguard.store.models import (
    Action,
    AuditEntry,
    Case,
    OutboxMessage,
    SendLogRow,
    Strike,
    VerdictRecord,
)
from tests.enforce.helpers import EICAR_TEXT, T0, add_tenant, decider, sms


def test_eicar_suspends_next_refused_appeal_reinstates(db_url: str, tmp_path: Path) -> None:
    d = decider(db_url, tmp_path)
    add_tenant(d)
    first = d.decide(sms("e1", EICAR_TEXT))
    assert first.action == "block" and first.case_ref is not None
    with d.store.read() as s:
        (suspend,) = s.execute(select(Action).where(Action.kind == "suspend")).scalars()
        assert suspend.state == "effective" and suspend.automated and suspend.clause == "malware"
        assert suspend.statement["clause_text"].startswith("Distributing computer viruses")
    second = d.decide(sms("e2", "Your appointment is tomorrow at 10.", minutes=1))
    assert second.action == "block" and second.verdict is None
    assert "suspended" in second.reason and first.case_ref in second.reason

    with d.store.write() as s:
        appeal = file_appeal(s, suspend.id, "acme", "It was our AV test, sorry.", T0)
    with d.store.write() as s:
        decide_appeal(
            s,
            appeal.id,
            "reviewer:ana",
            True,
            "test file, no harm",
            d.engine.document,
            T0,
            d.settings,
        )
    d.reload()
    third = d.decide(sms("e3", "Your appointment is tomorrow at 10.", minutes=2))
    assert third.action == "allow"
    with d.store.read() as s:
        strikes = s.execute(select(Strike)).scalars().all()
        assert [st.removed_by for st in strikes] == [appeal.id]
        kinds = [a.kind for a in s.execute(select(Action).order_by(Action.id)).scalars()]
        assert kinds == ["suspend", "reinstate"]
        audit = [e.kind for e in s.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars()]
        for step in (
            "case.open",
            "action.suspend",
            "appeal.file",
            "appeal.overturned",
            "action.reinstate",
        ):
            assert step in audit, step
        topics = sorted(m.topic for m in s.execute(select(OutboxMessage)).scalars())
        assert topics.count("action") == 2 and "appeal" in topics


def test_model_only_violation_holds_without_suspension(db_url: str, tmp_path: Path) -> None:
    d = decider(db_url, tmp_path)
    add_tenant(d)
    decision = d.decide(sms("m1", "You won the lottery, claim now"))
    assert decision.action == "hold"
    with d.store.read() as s:
        case = s.execute(select(Case)).scalar_one()
        assert case.clause == "phishing" and case.needs_fast_review
        assert [a.kind for a in s.execute(select(Action)).scalars()] == ["warn"]


def test_redelivered_event_changes_nothing(db_url: str, tmp_path: Path) -> None:
    d = decider(db_url, tmp_path)
    add_tenant(d)
    a = d.decide(sms("e1", EICAR_TEXT))
    b = d.decide(sms("e1", EICAR_TEXT))
    assert b.replayed and (b.action, b.case_ref, b.feedback_token) == (
        a.action,
        a.case_ref,
        a.feedback_token,
    )
    assert a.case_ref is not None  # the replay read it back from the stored decision
    with d.store.read() as s:
        assert len(s.execute(select(SendLogRow)).all()) == 1
        assert len(s.execute(select(Strike)).all()) == 1
        stored = s.execute(select(VerdictRecord)).scalar_one()
        assert stored.event_id == "e1" and stored.digest == record_digest(stored)
        assert stored.clauses == ["malware"] and stored.signals[0]["name"] == "EICAR"
