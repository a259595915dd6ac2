"""Ladder guards: second person for termination, brakes on a jump, shadow mode, status cache."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import select

from aupguard.enforce.actions import approve
from aupguard.enforce.status import StatusCache
from aupguard.errors import EnforcementError
from aupguard.rules.model import Ruleset
from aupguard.store.models import Action, OutboxMessage
from tests.enforce.helpers import EICAR_TEXT, T0, add_tenant, decider, ruleset_with_model, sms


def _ruleset(**changes: object) -> Ruleset:
    data = ruleset_with_model().model_dump(mode="json")
    data.update(changes)
    return Ruleset.model_validate(data)


def test_termination_waits_for_a_second_person(db_url: str, tmp_path: Path) -> None:
    rs = _ruleset(
        ladders={
            "default": {"steps": [{"strikes": 1, "action": "warn"}]},
            "malware": {
                "steps": [{"strikes": 1, "action": "terminate", "needs_second_person": True}]
            },
        }
    )
    d = decider(db_url, tmp_path, rs)
    add_tenant(d)
    d.decide(sms("e1", EICAR_TEXT))
    with d.store.read() as s:
        action = s.execute(select(Action)).scalar_one()
    assert action.state == "pending_approval"
    assert d.status.check("acme", "sms").state == "active"
    with pytest.raises(EnforcementError, match="second person"), d.store.write() as s:
        approve(s, action.id, "system", T0, d.engine.document, d.settings)
    with d.store.write() as s:
        approve(s, action.id, "reviewer:bo", T0, d.engine.document, d.settings)
    d.status.refresh()
    assert d.status.check("acme", "email").state == "terminated"


def test_brake_stops_automatic_actions_and_alerts(db_url: str, tmp_path: Path) -> None:
    rs = _ruleset(brakes={"max_auto_actions_per_hour": 2, "jump_factor": 5.0})
    d = decider(db_url, tmp_path, rs)
    for t in ("t1", "t2", "t3"):
        add_tenant(d, t)
    for i, t in enumerate(("t1", "t2", "t3")):
        d.decide(sms(f"e{i}", EICAR_TEXT, tenant=t, minutes=i))
    with d.store.read() as s:
        states = [a.state for a in s.execute(select(Action).order_by(Action.id)).scalars()]
        alerts = (
            s.execute(select(OutboxMessage).where(OutboxMessage.topic == "alert")).scalars().all()
        )
    assert states == ["effective", "effective", "braked"]
    assert len(alerts) == 1 and "Brake tripped" in alerts[0].subject
    assert d.status.check("t3", "sms").state == "active"


def test_shadow_clause_records_what_would_have_happened(db_url: str, tmp_path: Path) -> None:
    data = ruleset_with_model().model_dump(mode="json")
    data["clauses"]["malware"]["mode"] = "shadow"
    d = decider(db_url, tmp_path, Ruleset.model_validate(data))
    add_tenant(d)
    decision = d.decide(sms("e1", EICAR_TEXT))
    assert decision.action == "allow" and decision.verdict is not None
    assert decision.verdict.shadow_action.label == "block"
    with d.store.read() as s:
        (action,) = s.execute(select(Action)).scalars()
    assert (action.kind, action.state) == ("suspend", "shadow")
    assert d.status.check("acme", "sms").state == "active"


def test_status_cache_answers_fast_and_follows_the_version(db_url: str, tmp_path: Path) -> None:
    d = decider(db_url, tmp_path)
    add_tenant(d)
    other = StatusCache(d.store)  # e.g. a gateway process
    other.refresh()
    assert other.check("acme", "sms").state == "active"
    d.decide(sms("e1", EICAR_TEXT))
    assert other.refresh() is True  # the version moved
    assert other.check("acme", "sms", ("+15550100001",)).state == "suspended"
    assert other.refresh() is False
    started = time.perf_counter()
    for _ in range(10_000):
        other.check("acme", "sms", ("+15550100001", "campaign:x"))
    per_call = (time.perf_counter() - started) / 10_000
    assert per_call < 0.001  # "well under a millisecond": generous bound, not a benchmark
