"""Run N worker processes; respawn the dead; kill and dead-letter one stuck on an event."""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import redis

from aupguard.stream.producer import DEAD, GROUP, STREAM
from aupguard.stream.worker import INFLIGHT, StreamWorker, WorkerConfig

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class WorkerSpec:
    db_url: str
    redis_url: str
    state_url: str
    home: str
    batch: int = 64
    claim_idle_ms: int = 15_000


def worker_main(spec: WorkerSpec) -> None:
    """The body of one worker process."""
    from aupguard.decide import Decider
    from aupguard.runtime import tune_gc
    from aupguard.settings import Settings
    from aupguard.state.backends import open_state
    from aupguard.store.db import Store

    stopping = False

    def stop(*_: Any) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    settings = Settings(home=Path(spec.home), db_url=spec.db_url)
    decider = Decider(
        Store(spec.db_url, migrate=False), state=open_state(spec.state_url), settings=settings
    )
    tune_gc()
    client = redis.Redis.from_url(spec.redis_url)
    config = WorkerConfig(
        consumer=f"w-{os.getpid()}", batch=spec.batch, claim_idle_ms=spec.claim_idle_ms
    )
    StreamWorker(client, decider, config).run(lambda: stopping)


def dead_letter_stuck(client: redis.Redis, consumer: str, entry_id: str, reason: str) -> None:
    entries: Any = client.xrange(STREAM, entry_id, entry_id)
    pipe = client.pipeline(transaction=True)
    for _, fields in entries:
        payload: dict[Any, Any] = dict(fields)
        payload.update({b"reason": reason.encode(), b"entry": entry_id.encode()})
        pipe.xadd(DEAD, payload)
    pipe.xack(STREAM, GROUP, entry_id)
    pipe.xdel(STREAM, entry_id)
    pipe.hdel(INFLIGHT, consumer)
    pipe.execute()


def supervise(
    spec: WorkerSpec,
    processes: int,
    event_timeout_s: float,
    should_stop: Callable[[], bool] = lambda: False,
    poll_s: float = 0.5,
) -> None:
    """Keep `processes` workers alive until `should_stop()`; the watchdog runs every poll."""
    ctx = mp.get_context("spawn")
    client = redis.Redis.from_url(spec.redis_url)
    workers: list[BaseProcess] = []

    def spawn() -> BaseProcess:
        p = ctx.Process(target=worker_main, args=(spec,), daemon=True)
        p.start()
        return p

    workers = [spawn() for _ in range(processes)]
    try:
        while not should_stop():
            time.sleep(poll_s)
            workers = [w if w.is_alive() else spawn() for w in workers]
            try:
                inflight: Any = client.hgetall(INFLIGHT)
            except redis.RedisError:
                continue
            now = time.time()
            ours = {w.pid: w for w in workers}
            for consumer, value in inflight.items():
                pid_s, entry_id, started = value.decode().split("|")
                worker = ours.get(int(pid_s))
                if worker is None or now - float(started) < event_timeout_s:
                    continue
                log.error(
                    "worker %s stuck %.0fs on %s: killed, entry dead-lettered",
                    pid_s,
                    now - float(started),
                    entry_id,
                )
                os.kill(int(pid_s), signal.SIGKILL)
                worker.join(5)
                dead_letter_stuck(
                    client,
                    consumer.decode(),
                    entry_id,
                    f"watchdog: no decision within {event_timeout_s:g}s",
                )
    finally:
        for w in workers:
            if w.is_alive():
                w.terminate()
        for w in workers:
            w.join(10)
