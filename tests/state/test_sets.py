"""`seen` and `members` on distinct sets: the semantics every backend shares."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from aupguard.signals import Observation
from aupguard.state.base import StateStore
from aupguard.state.memory import MemoryState

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

# Each backend that implements StateStore is added here (the Redis one when it lands).
BACKENDS: list[Callable[[], StateStore]] = [MemoryState]


@pytest.fixture(params=BACKENDS, ids=lambda b: getattr(b, "__name__", "store"))
def store(request: pytest.FixtureRequest) -> StateStore:
    factory: Callable[[], StateStore] = request.param
    return factory()


def add(store: StateStore, event_id: str, member: str, at: datetime, ttl: int = 600) -> None:
    store.apply(event_id, [Observation("distinct", "k", member, ttl_s=ttl)], at)


def test_seen_until_the_ttl_runs_out(store: StateStore) -> None:
    add(store, "e1", "10.0.0.1:22", T0)
    assert store.seen("k", "10.0.0.1:22", T0 + timedelta(seconds=599))
    assert not store.seen("k", "10.0.0.1:22", T0 + timedelta(seconds=601))
    assert not store.seen("k", "10.0.0.1:23", T0)
    assert not store.seen("other", "10.0.0.1:22", T0)


def test_members_oldest_first_with_last_seen_and_limit(store: StateStore) -> None:
    for i in range(5):
        add(store, f"e{i}", f"m{i}", T0 + timedelta(seconds=i))
    add(store, "again", "m0", T0 + timedelta(seconds=10))  # seen again: now the newest
    listed = store.members("k", T0 + timedelta(seconds=11), limit=3)
    assert [m for m, _ in listed] == ["m1", "m2", "m3"]
    assert listed[0][1] == pytest.approx((T0 + timedelta(seconds=1)).timestamp())
    assert store.members("k", T0 + timedelta(seconds=605), limit=10) == [
        ("m0", pytest.approx((T0 + timedelta(seconds=10)).timestamp()))
    ]
    assert store.members("missing", T0) == []
