"""The stream worker on real Redis: poison, dead peers, backpressure, dead letters, watchdog."""

from __future__ import annotations

import os
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy import func, select

from aupguard.decide import Decider
from aupguard.store.models import AppliedEvent, SendLogRow
from aupguard.stream.codec import decode
from aupguard.stream.producer import publish
from aupguard.stream.supervisor import Heartbeat, WorkerSpec, supervise, worker_config
from aupguard.stream.worker import StreamWorker, WorkerConfig
from tests.enforce.helpers import add_tenant, decider, sms
from tests.stream.conftest import REDIS_URL
from tests.stream.helpers import plant_poison

QUIET = "Your appointment is tomorrow at 10."


def decided_ids(d: Decider) -> list[str]:
    with d.store.read() as s:
        return sorted(s.execute(select(AppliedEvent.event_id)).scalars())


def drain(worker: StreamWorker, done: Any, rounds: int = 200) -> None:
    for _ in range(rounds):
        worker.step()
        if done():
            return
    raise AssertionError(f"not done after {rounds} rounds: {worker.counts}")


def pending(client: redis.Redis, config: WorkerConfig) -> int:
    info: Any = client.xpending(config.stream, config.group)
    return int(info["pending"])


def test_poisoned_entry_dead_lettered_after_n_deliveries_others_commit(
    db_url: str, tmp_path: Path, stream_config: WorkerConfig
) -> None:
    d = decider(db_url, tmp_path)
    add_tenant(d)
    plant_poison(d, "poison")
    config = replace(stream_config, claim_idle_ms=0, max_deliveries=3)
    client = redis.Redis.from_url(REDIS_URL)
    events = [sms(f"e{i}", QUIET, minutes=i) for i in range(10)]
    events.insert(4, sms("poison", QUIET))
    assert publish(client, events, stream=config.stream) == 11
    worker = StreamWorker(client, d, config)
    worker.ensure_group()
    drain(worker, lambda: client.xlen(config.dead) > 0)
    assert decided_ids(d) == sorted(f"e{i}" for i in range(10))
    ((_, dead),) = client.xrange(config.dead)
    assert decode(dead[b"event"]).id == "poison"
    reason = dead[b"reason"].decode()
    assert reason.startswith("failed 3 times; last: ") and "Error" in reason, reason
    assert dead[b"deliveries"] == b"4" and dead[b"consumer"] == b"c1"
    assert client.xlen(config.stream) == 0 and pending(client, config) == 0
    assert not client.exists(config.errors)
    assert (worker.counts.decided, worker.counts.failed, worker.counts.dead) == (10, 3, 1)


def test_dead_consumers_pending_entries_are_claimed(
    tmp_path: Path, stream_config: WorkerConfig
) -> None:
    d = decider(f"sqlite:///{tmp_path / 'a.db'}", tmp_path)
    add_tenant(d)
    client = redis.Redis.from_url(REDIS_URL)
    publish(client, [sms(f"e{i}", QUIET, minutes=i) for i in range(6)], stream=stream_config.stream)
    survivor = StreamWorker(client, d, replace(stream_config, consumer="c2", claim_idle_ms=200))
    survivor.ensure_group()
    # A peer reads everything, then dies before deciding: its entries stay pending with it.
    got: Any = client.xreadgroup(
        stream_config.group, "dead-peer", {stream_config.stream: ">"}, count=10
    )
    assert len(got[0][1]) == 6 and pending(client, stream_config) == 6
    drain(survivor, lambda: len(decided_ids(d)) == 6)
    assert pending(client, stream_config) == 0 and client.xlen(stream_config.stream) == 0
    peers = {
        c["name"]: c["pending"] for c in client.xinfo_consumers(stream_config.stream, "deciders")
    }
    assert peers == {b"dead-peer": 0, b"c2": 0}
    assert survivor.counts.decided == 6


def test_publisher_waits_while_the_backlog_is_full(
    tmp_path: Path, stream_config: WorkerConfig
) -> None:
    d = decider(f"sqlite:///{tmp_path / 'a.db'}", tmp_path)
    add_tenant(d)
    client = redis.Redis.from_url(REDIS_URL)
    events = [sms(f"e{i}", QUIET, minutes=i) for i in range(60)]
    sent: list[int] = []

    def produce() -> None:
        sent.append(publish(client, events, stream=stream_config.stream, max_backlog=10, batch=5))

    producer = threading.Thread(target=produce, daemon=True)
    producer.start()
    producer.join(1.5)
    assert producer.is_alive(), "the publisher should wait for the workers, not drop or run on"
    assert 10 < client.xlen(stream_config.stream) <= 15  # at most one batch over the limit
    worker = StreamWorker(client, d, replace(stream_config, batch=8))
    worker.ensure_group()
    drain(worker, lambda: not producer.is_alive() and client.xlen(stream_config.stream) == 0)
    assert sent == [60] and len(decided_ids(d)) == 60
    assert client.xlen(stream_config.dead) == 0


def test_unreadable_entry_dead_lettered_at_once_with_reason(
    tmp_path: Path, stream_config: WorkerConfig
) -> None:
    d = decider(f"sqlite:///{tmp_path / 'a.db'}", tmp_path)
    add_tenant(d)
    client = redis.Redis.from_url(REDIS_URL)
    bad = client.xadd(
        stream_config.stream, {"event": '{"id": "x1", "time": "2026-11-10T09:00:00Z"}'}
    )
    publish(client, [sms("ok", QUIET)], stream=stream_config.stream)
    worker = StreamWorker(client, d, stream_config)
    worker.ensure_group()
    drain(worker, lambda: client.xlen(stream_config.stream) == 0)
    ((_, dead),) = client.xrange(stream_config.dead)
    assert dead[b"entry"] == bad and dead[b"deliveries"] == b"1"
    assert b"channel" in dead[b"reason"], dead[b"reason"]
    assert decided_ids(d) == ["ok"] and pending(client, stream_config) == 0


def hang_on_stuck(spec: WorkerSpec, heartbeat: Heartbeat) -> None:
    """A worker process whose engine hangs on events named stuck-* (the test's hook)."""
    d = decider(spec.db_url, Path(spec.home))
    evaluate = d.engine.evaluate

    def hooked(event: Any, ctx: Any, **kwargs: Any) -> Any:
        if event.id.startswith("stuck"):
            time.sleep(3600)  # CPU-bound work cannot be interrupted either: only a kill helps
        return evaluate(event, ctx, **kwargs)

    d.engine.evaluate = hooked  # type: ignore[method-assign]
    client = redis.Redis.from_url(spec.redis_url)
    StreamWorker(client, d, worker_config(spec, f"w-{os.getpid()}"), heartbeat).run()


@pytest.mark.slow
def test_watchdog_kills_a_stuck_worker_and_dead_letters_its_entry(
    tmp_path: Path, stream_config: WorkerConfig
) -> None:
    db_url = f"sqlite:///{tmp_path / 'a.db'}"
    d = decider(db_url, tmp_path)
    add_tenant(d)
    client = redis.Redis.from_url(REDIS_URL)
    events = [sms(f"e{i}", QUIET, minutes=i) for i in range(8)]
    events.insert(3, sms("stuck-1", QUIET, minutes=3))
    publish(client, events, stream=stream_config.stream)
    stuck_entry = client.xrange(stream_config.stream)[3][0]
    spec = WorkerSpec(
        db_url,
        REDIS_URL,
        "memory://",
        str(tmp_path),
        claim_idle_ms=500,
        stream=stream_config.stream,
    )
    stop = threading.Event()
    supervisor = threading.Thread(
        target=supervise, args=(spec, 1, 1.5, stop.is_set, 0.2, hang_on_stuck), daemon=True
    )
    supervisor.start()
    try:
        deadline = time.time() + 120
        while time.time() < deadline and not (
            len(decided_ids(d)) == 8 and client.xlen(stream_config.stream) == 0
        ):
            time.sleep(0.3)
    finally:
        stop.set()
        supervisor.join(30)
    assert decided_ids(d) == sorted(f"e{i}" for i in range(8))
    ((_, dead),) = client.xrange(stream_config.dead)
    assert dead[b"entry"] == stuck_entry and decode(dead[b"event"]).id == "stuck-1"
    assert dead[b"reason"] == b"watchdog: no decision within 1.5s"
    assert dead[b"deliveries"] == b"1"
    assert pending(client, stream_config) == 0
    with d.store.read() as s:
        assert s.execute(select(func.count()).select_from(SendLogRow)).scalar_one() == 8


def test_long_batch_renews_its_lease_so_live_peers_do_not_claim_it(
    tmp_path: Path, stream_config: WorkerConfig
) -> None:
    d = decider(f"sqlite:///{tmp_path / 'a.db'}", tmp_path)
    add_tenant(d)
    evaluate = d.engine.evaluate

    def slow(event: Any, ctx: Any, **kwargs: Any) -> Any:
        time.sleep(0.4)  # a batch of 12 takes ~5 s, longer than the 2 s claim time
        return evaluate(event, ctx, **kwargs)

    d.engine.evaluate = slow  # type: ignore[method-assign]
    client = redis.Redis.from_url(REDIS_URL)
    publish(
        client, [sms(f"e{i}", QUIET, minutes=i) for i in range(12)], stream=stream_config.stream
    )
    worker = StreamWorker(client, d, replace(stream_config, claim_idle_ms=2000))
    worker.ensure_group()
    stolen: list[bytes] = []
    done = threading.Event()

    def peer() -> None:
        while not done.is_set():
            got: Any = client.xautoclaim(
                stream_config.stream, stream_config.group, "peer", 2000, "0-0", justid=True
            )
            stolen.extend(got)  # with JUSTID, redis-py returns the ids alone
            time.sleep(0.1)

    thief = threading.Thread(target=peer, daemon=True)
    thief.start()
    try:
        assert worker.step() == 12
    finally:
        done.set()
        thief.join(5)
    assert stolen == [] and len(decided_ids(d)) == 12
    assert pending(client, stream_config) == 0
