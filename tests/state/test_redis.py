"""Redis specifics: key TTLs bound memory, marks have none, and two worker processes share it."""

from __future__ import annotations

import multiprocessing as mp
from datetime import UTC, datetime, timedelta

import pytest

from aupguard.signals import Observation
from tests.state.conftest import drop_prefix, redis_state

pytestmark = pytest.mark.redis
T0 = datetime(2026, 11, 2, 9, 0, 0, tzinfo=UTC)


def test_every_key_but_marks_expires(redis_prefix: str) -> None:
    state = redis_state(redis_prefix, applied_ttl_s=3600)
    try:
        state.apply(
            "e1",
            [
                Observation("count", "c", ttl_s=600),
                Observation("distinct", "d", "m", ttl_s=900),
                Observation("mark", "consent:x", "STOP"),
            ],
            T0,
        )
        ttl = state.client.ttl
        assert 600 < ttl(redis_prefix + "c:c") <= 660
        assert 900 < ttl(redis_prefix + "d:d") <= 960
        assert ttl(redis_prefix + "m:consent:x") == -1  # durable: no TTL
        assert 0 < ttl(redis_prefix + "e:e1") <= 3600
    finally:
        drop_prefix(state)


def _worker(prefix: str, worker: int, events: int, out: mp.Queue[tuple[int, int]]) -> None:
    state = redis_state(prefix)
    applied = 0
    for i in range(events):
        # both workers get every event (a redelivery storm); each id must count once
        when = T0 + timedelta(seconds=i)
        obs = [
            Observation("count", "vol", ttl_s=3600),
            Observation("distinct", "r", f"r{i}", ttl_s=3600),
        ]
        applied += state.apply(f"event-{i}", obs, when)
    out.put((worker, applied))


def test_two_processes_apply_each_event_once(redis_prefix: str) -> None:
    state = redis_state(redis_prefix)
    ctx = mp.get_context("spawn")
    queue: mp.Queue[tuple[int, int]] = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(redis_prefix, w, 300, queue)) for w in (1, 2)]
    try:
        for p in procs:
            p.start()
        results = dict(queue.get(timeout=120) for _ in procs)
        for p in procs:
            p.join(timeout=60)
        assert sum(results.values()) == 300  # split between them, never both
        now = T0 + timedelta(seconds=300)
        assert state.count("vol", 3600, now) == 300
        assert state.distinct("r", now) == 300
    finally:
        for p in procs:
            if p.is_alive():
                p.terminate()
        drop_prefix(state)
