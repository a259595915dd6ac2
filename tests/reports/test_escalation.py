"""25 authenticated complaints about one campaign escalate as the ruleset says; 25 forged or
anonymous ones only fill triage."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from aupguard.enforce.ladder import STRENGTH, step_for
from aupguard.reports.form import parse_submission
from aupguard.store.models import Action, Case, CaseItem, ReportRow, Strike
from tests.reports.desk import REPORTED, Desk, as_sent, desk, send
from tests.reports.helpers import arf_message, signed

N = 25


def _complaint(k: Desk, n: int) -> bytes:
    return arf_message(original=as_sent(n), message_id=f"<fbl-{n}@isp.example>")


def _expected(k: Desk) -> tuple[int, list[str], str | None]:
    """What the shipped ruleset says 25 counted complaints do: strikes, actions, held step."""
    rules = k.decider.ruleset
    threshold = rules.report_threshold_for("message-abuse")
    assert threshold is not None
    strikes = N // threshold.every
    ladder = rules.ladder_for("message-abuse")
    actions: list[str] = []
    held = None
    for n in range(1, strikes + 1):
        step = step_for(ladder, n)
        if step is None or any(STRENGTH[a] >= STRENGTH[step.action] for a in actions):
            continue
        if STRENGTH[step.action] > STRENGTH[threshold.automatic_up_to]:
            held = step.action
        else:
            actions.append(step.action)
    return strikes, actions, held


def test_25_authenticated_complaints_escalate_as_the_ruleset_says(
    db_url: str, tmp_path: Path
) -> None:
    k = desk(db_url, tmp_path)
    for n in range(N):
        send(k.decider, n)
    receipts = [
        k.take(signed(_complaint(k, n)), at=REPORTED + timedelta(minutes=n)) for n in range(N)
    ]
    assert {r.status for r in receipts} == {"accepted"}
    strikes, actions, held = _expected(k)
    assert strikes == 5 and actions == ["warn", "restrict"] and held == "suspend"
    with k.decider.store.read() as s:
        case = s.execute(select(Case)).scalar_one()  # one campaign, one clause: one case
        assert (case.tenant_id, case.clause) == ("acme", "message-abuse")
        assert s.execute(select(func.count(Strike.id))).scalar_one() == strikes
        taken = s.execute(select(Action).order_by(Action.id)).scalars().all()
        assert [(a.kind, a.state) for a in taken] == [(a, "effective") for a in actions]
        assert taken[1].scope == "channel" and taken[1].target == "email"
        assert "complaints from enrolled feedback loops (ISP FBL)" in taken[0].statement["facts"][0]
        notes = s.execute(select(CaseItem.body).where(CaseItem.kind == "note")).scalars().all()
        assert any(f"ladder reached {held}" in n["note"] for n in notes)
        assert case.needs_fast_review
        rows = s.execute(select(ReportRow)).scalars().all()
        assert all(r.state == "resolved" and r.counted for r in rows)
        assert len({r.strike_ref for r in rows}) == strikes
    assert k.items("report") == N and k.items("violation") == strikes


def test_25_forged_or_anonymous_complaints_only_fill_triage(db_url: str, tmp_path: Path) -> None:
    k = desk(db_url, tmp_path)
    for n in range(N):
        send(k.decider, n)
    receipts = []
    for n in range(N):
        raw = _complaint(k, n)
        if n % 3 == 0:  # the From says the enrolled provider, the signature is someone else's
            receipts.append(k.take(signed(raw, domain="elsewhere.example")))
        elif n % 3 == 1:  # unsigned
            receipts.append(k.take(raw))
        else:  # the public form, anonymous
            form = {
                "category": "message-abuse",
                "description": f"spam again {n}!",
                "message_ids": [f"m{n}.spring-sale@acme.example"],
            }
            report = parse_submission(form, k.context(source_ip=f"203.0.113.{n}"))
            receipts.append(k.sink.accept(report))
    assert {r.status for r in receipts} == {"accepted"}
    with k.decider.store.read() as s:
        rows = s.execute(select(ReportRow)).scalars().all()
        assert len(rows) == N and {r.state for r in rows} == {"triage"}
        assert {r.tenant_id for r in rows} == {"acme"}  # resolved, but only as a suggestion
        assert not any(r.counted for r in rows)
        for table in (Case, Strike, Action):
            assert s.execute(select(func.count()).select_from(table)).scalar_one() == 0
