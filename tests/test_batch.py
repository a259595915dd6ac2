"""The batch API: the same verdicts and state as evaluating and applying one by one."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import redis

from aupguard.batch import evaluate_batch
from aupguard.state.memory import MemoryState
from aupguard.state.redis import RedisState
from tests.detectors.activity import T0, benign_flows, slow_scan, vertical_scan
from tests.detectors.telephony import otp_traffic, pumping_burst, war_dialing
from tests.replay import default_engine, replay
from tests.servers import REDIS_HOST, REDIS_PORT
from tests.state.conftest import drop_prefix, redis_state


def mixed_stream() -> list:  # type: ignore[type-arg]
    events = benign_flows(600) + vertical_scan(range(1, 60), start=T0 + timedelta(minutes=3))
    events += slow_scan(40) + war_dialing(80, start=T0 + timedelta(minutes=5))
    return sorted(events, key=lambda e: e.time)


def test_batch_matches_one_by_one() -> None:
    events = mixed_stream()
    engine = default_engine()
    batch = evaluate_batch(engine, events, MemoryState())
    single = [e.verdict for e in replay(events, MemoryState(), engine)]
    assert [(v.event_id, v.action, [s.name for s in v.signals]) for v in batch] == [
        (v.event_id, v.action, [s.name for s in v.signals]) for v in single
    ]
    assert sum(v.action.label != "allow" for v in batch) > 50


def test_redelivered_events_change_nothing() -> None:
    events = vertical_scan(range(1, 30))
    engine = default_engine()
    once, twice = MemoryState(), MemoryState()
    evaluate_batch(engine, events, once)
    evaluate_batch(engine, events + events, twice)  # every id delivered again
    key = "ps:t:acme/crm-sync/198.51.100.66"
    assert once.distinct(key, events[-1].time) == twice.distinct(key, events[-1].time) == 29
    walk = "trw:w:acme/crm-sync/198.51.100.66"
    assert once.count(walk, 3600, events[-1].time) == twice.count(walk, 3600, events[-1].time)


def fingerprint(verdicts: list) -> list:  # type: ignore[type-arg]
    """Everything a reader sees of a verdict: action, signals with strength and evidence."""
    return [
        (
            v.event_id,
            v.action,
            [(s.name, round(s.strength, 9), [e.detail for e in s.evidence]) for s in v.signals],
            v.explanation,
        )
        for v in verdicts
    ]


def with_sms(events: list) -> list:  # type: ignore[type-arg]
    """The mixed stream and a day of one-time codes then SMS pumping (counts, marks)."""
    extra = otp_traffic(hours=24, start=T0 - timedelta(days=1)) + pumping_burst(start=T0)
    return sorted(events + extra, key=lambda e: e.time)


class CountingRedis(redis.Redis):
    """A client that counts the commands it sends (a script call is one command)."""

    calls = 0

    def execute_command(self, *args: Any, **options: Any) -> Any:
        CountingRedis.calls += 1
        return super().execute_command(*args, **options)


@pytest.fixture
def two_redis_clients() -> Iterator[tuple[RedisState, RedisState]]:
    prefix = f"test:{uuid.uuid4().hex[:12]}:"
    first, second = redis_state(prefix), redis_state(prefix)
    try:
        yield first, second
    finally:
        drop_prefix(first)


@pytest.mark.redis
def test_redis_batches_give_the_memory_verdicts(
    two_redis_clients: tuple[RedisState, RedisState],
) -> None:
    events = with_sms(mixed_stream())
    engine = default_engine()
    memory = evaluate_batch(engine, events, MemoryState())
    shared, _ = two_redis_clients
    on_redis = evaluate_batch(engine, events, shared, chunk=97)  # chunks cut scans apart
    assert fingerprint(on_redis) == fingerprint(memory)
    assert sum(v.action.label != "allow" for v in memory) > 50
    # Delivered again, in other chunks: every id is applied already, nothing moves.
    key = "ps:t:acme/crm-sync/198.51.100.66"
    before = shared.distinct(key, events[-1].time)
    evaluate_batch(engine, events, shared, chunk=250)
    assert shared.distinct(key, events[-1].time) == before > 0


@pytest.mark.redis
def test_two_workers_taking_turns_see_each_others_writes(
    two_redis_clients: tuple[RedisState, RedisState],
) -> None:
    """Chunks dealt to two workers in turn, each with its own client and local copy of one
    Redis: each chunk must see what the other worker wrote (its copies are re-fetched)."""
    events = with_sms(mixed_stream())
    engine = default_engine()
    memory = evaluate_batch(engine, events, MemoryState())
    workers = two_redis_clients
    verdicts = []
    for turn, start in enumerate(range(0, len(events), 60)):
        verdicts += evaluate_batch(engine, events[start : start + 60], workers[turn % 2])
    assert fingerprint(verdicts) == fingerprint(memory)


@pytest.mark.redis
def test_a_redis_batch_costs_two_round_trips_not_one_per_record() -> None:
    events = sorted(benign_flows(2500) + vertical_scan(range(1, 400)), key=lambda e: e.time)
    engine = default_engine()
    prefix = f"test:{uuid.uuid4().hex[:12]}:"
    client = CountingRedis(host=REDIS_HOST, port=REDIS_PORT)
    state = RedisState(client, prefix=prefix)
    try:
        evaluate_batch(engine, events[:1000], state)  # first sight of every key
        CountingRedis.calls = 0
        evaluate_batch(engine, events[1000:], state)  # 1,899 records, two chunks
        assert CountingRedis.calls <= 2 * 2 + 4  # a fetch and a commit per chunk
    finally:
        drop_prefix(state)
