"""Run N worker processes; respawn the dead; kill one stuck on an event and dead-letter it."""

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

from aupguard.stream.producer import STREAM
from aupguard.stream.worker import INFLIGHT, StreamWorker, WorkerConfig, dead_letter

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class WorkerSpec:
    db_url: str
    redis_url: str
    state_url: str
    home: str
    batch: int = 64
    claim_idle_ms: int = 15_000
    stream: str = STREAM  # its dead letters go to "<stream>:dead"


class Heartbeat:
    """The entry a worker is judging and since when, in memory shared with its supervisor.

    Set and cleared for every event without a round trip; only the supervisor that
    spawned the worker reads it, so the watchdog names the exact entry even in a batch.
    """

    def __init__(self, ctx: Any) -> None:
        self._entry = ctx.Array("c", 64, lock=False)
        self._since = ctx.Value("d", 0.0, lock=False)

    def start(self, entry_id: bytes) -> None:
        self._since.value = 0.0  # readers ignore the entry while it is being rewritten
        self._entry.value = entry_id[:63]
        self._since.value = time.time()

    def clear(self) -> None:
        self._since.value = 0.0

    def stuck(self, timeout_s: float, now: float) -> tuple[str, float] | None:
        """(entry, seconds) when one entry has been judged for longer than `timeout_s`."""
        since = float(self._since.value)
        entry = bytes(self._entry.value).decode()
        if since == 0.0 or now - since < timeout_s or float(self._since.value) != since:
            return None
        return entry, now - since


def build_worker(spec: WorkerSpec, heartbeat: Heartbeat | None) -> StreamWorker:
    """A worker process's StreamWorker: its own Decider, database pool and Redis client."""
    from aupguard.decide import Decider
    from aupguard.runtime import tune_gc
    from aupguard.settings import Settings
    from aupguard.state.backends import open_state
    from aupguard.store.db import Store

    settings = Settings(home=Path(spec.home), db_url=spec.db_url)
    decider = Decider(
        Store(spec.db_url, migrate=False), state=open_state(spec.state_url), settings=settings
    )
    decider.engine.warm_up()  # models load before the watchdog times the first event
    tune_gc()
    # Named connections: `CLIENT LIST` shows which worker holds which (and that it is up).
    client = redis.Redis.from_url(spec.redis_url, client_name=f"aupguard-worker-{os.getpid()}")
    return StreamWorker(client, decider, worker_config(spec, f"w-{os.getpid()}"), heartbeat)


def worker_config(spec: WorkerSpec, consumer: str) -> WorkerConfig:
    return WorkerConfig(
        stream=spec.stream,
        dead=f"{spec.stream}:dead",
        consumer=consumer,
        batch=spec.batch,
        claim_idle_ms=spec.claim_idle_ms,
    )


def worker_main(spec: WorkerSpec, heartbeat: Heartbeat | None = None) -> None:
    """The body of one worker process: decide until SIGTERM."""
    stopping = False

    def stop(*_: Any) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    build_worker(spec, heartbeat).run(lambda: stopping)


def dead_letter_stuck(
    client: redis.Redis, spec: WorkerSpec, consumer: str, entry_id: str, reason: str
) -> None:
    """The watchdog's verdict on an entry that hung a worker: dead-lettered, not retried."""
    config = worker_config(spec, consumer)
    entries: Any = client.xrange(config.stream, entry_id, entry_id)
    info: Any = client.xpending_range(config.stream, config.group, entry_id, entry_id, 1)
    deliveries = int(info[0]["times_delivered"]) if info else 1
    for _, fields in entries:
        dead_letter(client, config, entry_id.encode(), dict(fields), reason, deliveries)
    client.hdel(INFLIGHT, consumer)


def supervise(
    spec: WorkerSpec,
    processes: int,
    event_timeout_s: float,
    should_stop: Callable[[], bool] = lambda: False,
    poll_s: float = 0.5,
    target: Callable[[WorkerSpec, Heartbeat], None] = worker_main,
) -> None:
    """Keep `processes` workers alive until `should_stop()`; the watchdog runs every poll.

    `target` is the body of a worker process (tests pass one that builds the same worker).
    """
    ctx = mp.get_context("spawn")
    client = redis.Redis.from_url(spec.redis_url)

    def spawn() -> tuple[BaseProcess, Heartbeat]:
        heartbeat = Heartbeat(ctx)
        p = ctx.Process(target=target, args=(spec, heartbeat), daemon=True)
        p.start()
        return p, heartbeat

    workers = [spawn() for _ in range(processes)]
    try:
        while not should_stop():
            time.sleep(poll_s)
            workers = [(w, h) if w.is_alive() else spawn() for w, h in workers]
            now = time.time()
            for worker, heartbeat in workers:
                stuck = heartbeat.stuck(event_timeout_s, now)
                if stuck is None or worker.pid is None:
                    continue
                entry_id, seconds = stuck
                log.error(
                    "worker %s stuck %.0fs on %s: killed, entry dead-lettered",
                    worker.pid,
                    seconds,
                    entry_id,
                )
                os.kill(worker.pid, signal.SIGKILL)
                worker.join(5)
                heartbeat.clear()
                reason = f"watchdog: no decision within {event_timeout_s:g}s"
                try:
                    dead_letter_stuck(client, spec, f"w-{worker.pid}", entry_id, reason)
                except redis.RedisError as exc:  # the entry stays pending: claimed, retried
                    log.warning("could not dead-letter %s: %s", entry_id, exc)
    finally:
        for w, _ in workers:
            if w.is_alive():
                w.terminate()
        for w, _ in workers:
            w.join(10)
