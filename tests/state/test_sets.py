"""`seen` and `members` on distinct sets: the semantics every backend shares."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from aupguard.signals import Observation
from aupguard.state.base import StateStore
from aupguard.state.memory import MemoryState
from aupguard.state.redis import RedisState
from tests.state.conftest import drop_prefix, redis_state

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _redis() -> StateStore:
    return redis_state(f"test:{uuid.uuid4().hex[:12]}:")


# Every backend that implements StateStore runs the same semantics.
BACKENDS: list[Callable[[], StateStore]] = [MemoryState, _redis]


@pytest.fixture(params=BACKENDS, ids=["memory", "redis"])
def store(request: pytest.FixtureRequest) -> Iterator[StateStore]:
    factory: Callable[[], StateStore] = request.param
    state = factory()
    yield state
    if isinstance(state, RedisState):
        drop_prefix(state)


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
