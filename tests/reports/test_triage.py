"""Triage by a person: resolve to a tenant, duplicate, void, bulk void and mute a reporter."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from aupguard.errors import EnforcementError
from aupguard.reports import triage
from aupguard.reports.form import parse_submission
from aupguard.store.models import AuditEntry, CaseItem, ReporterRow
from tests.reports.desk import Desk, desk, send

NOW = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)


def _form(k: Desk, n: int, email: str = "angry@example.org") -> str:
    form = {
        "category": "message-abuse",
        "description": f"I never signed up for this, message {n}",
        "reporter_email": email,
        "message_ids": [f"m{n}.spring-sale@acme.example"],
    }
    return k.sink.accept(parse_submission(form, k.context(source_ip="203.0.113.9"))).reference


def test_a_reviewer_resolves_a_triaged_report_into_the_case(db_url: str, tmp_path: Path) -> None:
    k = desk(db_url, tmp_path)
    send(k.decider, 1)
    ref = _form(k, 1)
    assert k.row(ref).state == "triage" and k.row(ref).tenant_id == "acme"
    with k.decider.store.write() as s:
        row = triage.resolve_to(s, ref, "acme", None, "reviewer:rita", k.sink.policy, NOW)
        assert row.case_id is not None and not row.counted  # a form report never counts
        assert "not from an enrolled feedback loop" in (row.count_note or "")
    with k.decider.store.read() as s:
        item = s.execute(select(CaseItem).where(CaseItem.kind == "report")).scalar_one()
        assert item.ref == ref and "angry" not in str(item.body)
        kinds = [a.kind for a in s.execute(select(AuditEntry)).scalars()]
        assert "report.resolve" in kinds
    with k.decider.store.write() as s, pytest.raises(EnforcementError, match="resolved"):
        triage.resolve_to(s, ref, "acme", None, "reviewer:rita", k.sink.policy, NOW)


def test_duplicate_and_void(db_url: str, tmp_path: Path) -> None:
    k = desk(db_url, tmp_path)
    a, b = _form(k, 1), _form(k, 2)
    with k.decider.store.write() as s:
        triage.mark_duplicate(s, b, a, "reviewer:rita", NOW)
        triage.void(s, a, "reviewer:rita", "the sender proved consent", NOW)
    assert k.row(b).state == "duplicate" and k.row(b).duplicate_of == k.row(a).id
    assert k.row(a).state == "voided" and k.row(a).note == "the sender proved consent"


def test_a_flood_is_voided_at_once_and_the_reporter_muted(db_url: str, tmp_path: Path) -> None:
    k = desk(db_url, tmp_path)
    refs = [_form(k, n, email="flood@bad.example") for n in range(12)]
    other = _form(k, 99, email="someone@else.example")
    reporter_id = k.row(refs[0]).reporter_id
    assert reporter_id is not None
    with k.decider.store.write() as s:
        assert (
            triage.void_reporter(s, reporter_id, "reviewer:ada", "bad faith", NOW, mute=True) == 12
        )
    assert {k.row(r).state for r in refs} == {"voided"} and k.row(other).state == "triage"
    later = _form(k, 13, email="flood@bad.example")
    assert k.row(later).state == "voided"  # muted: voided on arrival, still stored
    with k.decider.store.read() as s:
        reporter = s.get(ReporterRow, reporter_id)
        assert reporter is not None and reporter.muted
        assert (reporter.reports, reporter.voided) == (13, 13)
        assert reporter.reputation == pytest.approx(1 / 15)
