"""A worker's local copy of Redis for batches: fetched once, committed once, never stale."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from aupguard.signals import Observation
from aupguard.state.redis import RedisState
from tests.state.conftest import drop_prefix, redis_state

pytestmark = pytest.mark.redis
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def add(member: str) -> list[Observation]:
    return [Observation("distinct", "set", member, ttl_s=3600)]


@pytest.fixture
def workers(redis_prefix: str) -> Iterator[tuple[RedisState, RedisState]]:
    first, second = redis_state(redis_prefix), redis_state(redis_prefix)
    try:
        yield first, second
    finally:
        drop_prefix(first)


def test_a_write_between_fetch_and_commit_is_seen_by_the_next_batch(
    workers: tuple[RedisState, RedisState],
) -> None:
    mine, other = workers
    first = mine.fetch_ahead([("distinct", "set")], ["e0"])
    first.apply("e0", add("0"), T0)
    mine.commit(first)  # the copy now holds the key at a known version
    batch = mine.fetch_ahead([("distinct", "set")], ["e1"])
    batch.apply("e1", add("a"), T0)
    other.apply("x", add("b"), T0)  # another worker, while this batch is judged
    assert mine.commit(batch) == [True]
    later = mine.fetch_ahead([("distinct", "set")], ["e2"])
    assert later.distinct("set", T0) == 3 and later.seen("set", "b", T0)


def test_own_writes_keep_the_copy_and_others_are_fetched(
    workers: tuple[RedisState, RedisState],
) -> None:
    mine, other = workers
    for i in range(3):  # batches of this worker alone: the copy stays current
        batch = mine.fetch_ahead([("distinct", "set")], [f"m{i}"])
        batch.apply(f"m{i}", add(f"m{i}"), T0 + timedelta(seconds=i))
        mine.commit(batch)
    other.apply("o", add("o"), T0 + timedelta(seconds=5))
    batch = mine.fetch_ahead([("distinct", "set")], [])
    assert batch.distinct("set", T0 + timedelta(seconds=5)) == 4
    assert [m for m, _ in batch.members("set", T0 + timedelta(seconds=5))] == [
        "m0",
        "m1",
        "m2",
        "o",
    ]


def test_ids_applied_before_the_batch_are_not_applied_again(
    workers: tuple[RedisState, RedisState],
) -> None:
    mine, other = workers
    other.apply("dup", add("a"), T0)
    batch = mine.fetch_ahead([("distinct", "set")], ["dup", "new"])
    assert batch.apply("dup", add("zzz"), T0) is False
    assert batch.apply("new", add("b"), T0) is True
    assert batch.apply("new", add("c"), T0) is False  # twice in one batch
    assert mine.commit(batch) == [True]
    assert mine.distinct("set", T0) == 2 and not mine.seen("set", "zzz", T0)


def test_keys_no_hint_named_are_fetched_on_first_read(
    workers: tuple[RedisState, RedisState],
) -> None:
    mine, other = workers
    other.apply("c", [Observation("count", "hits", amount=4, ttl_s=600)], T0)
    other.apply("m", [Observation("mark", "optout", "STOP")], T0)
    batch = mine.fetch_ahead([], [])
    assert batch.count("hits", 600, T0) == 4
    assert batch.marked("optout") == "STOP"
    batch.apply("u", [Observation("unmark", "optout")], T0)
    assert batch.marked("optout") is None
    mine.commit(batch)
    assert other.marked("optout") is None
