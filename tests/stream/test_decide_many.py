"""Batched decisions: one transaction, the same outcome per event as `decide` one by one."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from aupguard.decide import Decider, Decision
from aupguard.enforce.tenants import create_tenant
from aupguard.events.model import Event
from aupguard.store.models import (
    Acceptance,
    Action,
    AppliedEvent,
    AuditEntry,
    Case,
    SendLogRow,
    Strike,
    VerdictRecord,
)
from tests.enforce.helpers import EICAR_TEXT, add_tenant, decider, sms
from tests.stream.helpers import plant_poison

QUIET = "Your appointment is tomorrow at 10."


def count(d: Decider, model: type) -> int:
    with d.store.read() as s:
        return int(s.execute(select(func.count()).select_from(model)).scalar_one())


def decisions(results: list[Decision | Exception]) -> list[Decision]:
    assert all(isinstance(r, Decision) for r in results), results
    return [r for r in results if isinstance(r, Decision)]


def test_duplicate_in_batch_and_replay_record_once(db_url: str, tmp_path: Path) -> None:
    d = decider(db_url, tmp_path)
    add_tenant(d)
    before = d.decide(sms("old", "You won the lottery, claim now"))
    batch = [
        sms("a", QUIET),
        sms("old", "You won the lottery, claim now"),  # decided earlier: a replay
        sms("b", "lottery time", minutes=1),
        sms("a", QUIET),  # the same id twice in one batch
    ]
    a, old, b, a_again = decisions(d.decide_many(batch))
    assert (
        not a.replayed
        and a_again.replayed
        and (a_again.action, a_again.feedback_token)
        == (
            a.action,
            a.feedback_token,
        )
    )
    assert old.replayed and (old.action, old.case_ref, old.feedback_token) == (
        before.action,
        before.case_ref,
        before.feedback_token,
    )
    assert b.action == "hold" and b.verdict is not None
    assert count(d, AppliedEvent) == count(d, SendLogRow) == 3
    with d.store.read() as s:
        ids = sorted(s.execute(select(VerdictRecord.event_id)).scalars())
        assert ids == ["b", "old"]  # quiet "a" has no signal: no verdict record
        assert s.execute(select(func.count()).select_from(Strike)).scalar_one() == 2
    again = decisions(d.decide_many(batch))
    assert all(r.replayed for r in again) and count(d, AppliedEvent) == 3


def test_batch_matches_one_by_one(db_url: str, tmp_path: Path) -> None:
    """Status first: an event after a suspension in the same batch is refused, as in decide."""
    d = decider(db_url, tmp_path)
    add_tenant(d)
    with d.store.write() as s:
        create_tenant(s, "beta", "Beta", actor="test", contact_email="abuse@beta.example")
    d.reload()

    def run(tenant: str) -> list[Event]:
        texts = [QUIET, "You won the lottery, claim now", QUIET, EICAR_TEXT, QUIET, QUIET]
        return [sms(f"{tenant}-{i}", t, tenant, minutes=i) for i, t in enumerate(texts)]

    single = [d.decide(e) for e in run("acme")]
    batched = decisions(d.decide_many(run("beta")))
    assert [(x.action, x.reason.split(" (case")[0]) for x in batched] == [
        (x.action, x.reason.split(" (case")[0]) for x in single
    ]
    assert "suspended" in batched[4].reason and batched[4].verdict is None
    for model in (AppliedEvent, SendLogRow, Strike, Case, Action, VerdictRecord, Acceptance):
        with d.store.read() as s:
            per_tenant = dict(
                s.execute(
                    select(model.tenant_id, func.count()).group_by(model.tenant_id)  # type: ignore[attr-defined]
                ).all()
            )
        assert per_tenant["beta"] == per_tenant["acme"] > 0, model.__name__


def test_poisoned_event_does_not_poison_the_batch(db_url: str, tmp_path: Path) -> None:
    d = decider(db_url, tmp_path)
    add_tenant(d)
    plant_poison(d, "poison")
    batch = [sms(f"e{i}", QUIET, minutes=i) for i in range(3)]
    batch.insert(1, sms("poison", QUIET))
    results = d.decide_many(batch)
    assert isinstance(results[1], Exception)
    assert [r.action for r in results if isinstance(r, Decision)] == ["allow"] * 3
    assert count(d, AppliedEvent) == 3
    with d.store.read() as s:  # the rolled-back acceptance was written again
        assert s.execute(select(Acceptance.how)).scalars().all() == ["use"]
        assert s.execute(select(func.count()).select_from(AuditEntry)).scalar_one() >= 1
