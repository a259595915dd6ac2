"""The store migrates, round-trips UTC times, and keeps one open case per tenant and clause."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

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


def test_an_open_read_never_holds_up_a_writer(db_url: str) -> None:
    """Reads begin deferred on SQLite: a long read (a console page, a status refresh) and
    a decision's write transaction proceed side by side, and the read keeps its snapshot."""
    store = Store(db_url)
    with store.read() as r:
        assert r.get(Tenant, "t1") is None  # the read transaction is open from here
        with store.write() as w:
            w.add(Tenant(id="t1", name="Acme", created_at=NOW))
    with store.read() as r:
        assert r.get(Tenant, "t1") is not None
    store.dispose()


def test_threads_of_one_process_write_in_turn(db_url: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    store = Store(db_url)

    def add(i: int) -> None:
        with store.write() as s:
            s.add(Tenant(id=f"t{i}", name=f"T{i}", created_at=NOW))

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(add, range(40)))
    with store.read() as s:
        assert len(s.query(Tenant).all()) == 40
    store.dispose()


def _add_tenants(url: str, prefix: str, count: int) -> None:
    store = Store(url, migrate=False)
    for i in range(count):
        with store.write() as s:
            s.add(Tenant(id=f"{prefix}{i}", name=f"T{i}", created_at=NOW))
    store.dispose()


def test_sqlite_writers_of_two_processes_take_turns_on_the_writer_lock(tmp_path: Path) -> None:
    """Processes queue on the kernel lock beside the database file, and a write in one
    process holds that lock for the whole transaction (nested writes included)."""
    import fcntl
    import multiprocessing as mp
    import os

    url = f"sqlite:///{tmp_path / 'a.db'}"
    store = Store(url)
    with store.write(), store.write():  # nested: released once, by the outer write
        fd = os.open(tmp_path / "a.db-writer.lock", os.O_RDWR)
        with pytest.raises(BlockingIOError):
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free once the write committed
    fcntl.flock(fd, fcntl.LOCK_UN)
    os.close(fd)
    procs = [mp.get_context("spawn").Process(target=_add_tenants, args=(url, p, 60)) for p in "ab"]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    with store.read() as s:
        assert s.query(Tenant).count() == 120
    store.dispose()
