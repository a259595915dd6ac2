"""The store migrates, round-trips UTC times, and keeps one open case per tenant and clause."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.exc import IntegrityError

from aupguard.store.db import Store
from aupguard.store.models import Case, Tenant

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def test_migrates_and_round_trips(db_url: str) -> None:
    store = Store(db_url)
    with store.write() as s:
        s.add(Tenant(id="t1", name="Acme", created_at=NOW))
    with store.read() as s:
        t = s.get(Tenant, "t1")
        assert t is not None and t.created_at == NOW and t.created_at.tzinfo is not None
    Store(db_url)  # migrating again is a no-op
    store.dispose()


def test_one_open_case_per_tenant_and_clause(db_url: str) -> None:
    store = Store(db_url)
    with store.write() as s:
        s.add(Tenant(id="t1", name="Acme", created_at=NOW))

    def case(state: str) -> Case:
        return Case(
            tenant_id="t1",
            clause="malware",
            state=state,
            severity=4,
            opened_at=NOW,
            due_at=NOW,
            updated_at=NOW,
        )

    with store.write() as s:
        s.add(case("open"))
    with store.write() as s:
        s.add(case("closed"))  # closed ones may repeat
    with pytest.raises(IntegrityError), store.write() as s:
        s.add(case("in_review"))
    store.dispose()


def test_naive_datetimes_are_refused(tmp_path: object) -> None:
    store = Store("sqlite://")
    with pytest.raises(Exception, match="naive datetime"), store.write() as s:
        s.add(Tenant(id="t1", name="Acme", created_at=datetime(2026, 1, 1)))
