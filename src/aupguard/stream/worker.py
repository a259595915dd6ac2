"""A stream worker: read, decide, acknowledge after the commit; claim what dead peers left."""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import redis

from aupguard.decide import Decider
from aupguard.errors import InputError
from aupguard.stream.codec import decode
from aupguard.stream.producer import DEAD, GROUP, STREAM

log = logging.getLogger(__name__)
INFLIGHT = "aupguard:inflight"


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    stream: str = STREAM
    group: str = GROUP
    dead: str = DEAD
    consumer: str = field(default_factory=lambda: f"{socket.gethostname()}-{os.getpid()}")
    batch: int = 64
    block_ms: int = 500
    claim_idle_ms: int = 15_000  # a peer silent this long is presumed dead
    max_deliveries: int = 5


@dataclass(slots=True)
class Counts:
    decided: int = 0
    dead: int = 0
    failed: int = 0


class StreamWorker:
    def __init__(self, client: redis.Redis, decider: Decider, config: WorkerConfig) -> None:
        self.redis = client
        self.decider = decider
        self.config = config
        self.counts = Counts()

    def ensure_group(self) -> None:
        try:
            self.redis.xgroup_create(self.config.stream, self.config.group, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    def run(self, should_stop: Callable[[], bool] = lambda: False) -> Counts:
        delay = 0.05
        while not should_stop():
            try:
                self.ensure_group()
                while not should_stop():
                    self.step()
                    delay = 0.05
            except (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError) as exc:
                log.warning("redis unavailable (%s); retrying in %.2fs", exc, delay)
                time.sleep(delay)
                delay = min(2.0, delay * 2)
        return self.counts

    def step(self) -> int:
        """One round: entries idle at dead peers first, then new ones. Returns entries done."""
        c = self.config
        claimed: Any = self.redis.xautoclaim(
            c.stream, c.group, c.consumer, c.claim_idle_ms, "0-0", count=c.batch
        )
        entries = list(claimed[1]) if claimed else []
        if not entries:
            read: Any = self.redis.xreadgroup(
                c.group, c.consumer, {c.stream: ">"}, count=c.batch, block=c.block_ms
            )
            entries = list(read[0][1]) if read else []
        for entry_id, fields in entries:
            if fields is None:  # deleted while pending
                self._ack(entry_id)
                continue
            self._handle(entry_id, fields)
        return len(entries)

    def _handle(self, entry_id: bytes, fields: dict[bytes, bytes]) -> None:
        c = self.config
        deliveries = self._deliveries(entry_id)
        if deliveries > c.max_deliveries:
            self._dead_letter(entry_id, fields, f"failed {deliveries - 1} times")
            return
        self.redis.hset(INFLIGHT, c.consumer, f"{os.getpid()}|{entry_id.decode()}|{time.time()}")
        try:
            event = decode(fields[b"event"], f"stream:{entry_id.decode()}")
            self.decider.decide(event)  # commits (or finds the id decided already)
        except InputError as exc:
            self._dead_letter(entry_id, fields, exc.reason)
            return
        except Exception:  # left pending: another delivery retries it, then dead letters
            self.counts.failed += 1
            log.exception("deciding %s failed", entry_id)
            return
        finally:
            self.redis.hdel(INFLIGHT, c.consumer)
        self._ack(entry_id)
        self.counts.decided += 1

    def _deliveries(self, entry_id: bytes) -> int:
        info = self.redis.xpending_range(
            self.config.stream, self.config.group, entry_id, entry_id, 1
        )
        return int(info[0]["times_delivered"]) if info else 1

    def _ack(self, entry_id: bytes) -> None:
        pipe = self.redis.pipeline(transaction=True)
        pipe.xack(self.config.stream, self.config.group, entry_id)
        pipe.xdel(self.config.stream, entry_id)
        pipe.execute()

    def _dead_letter(self, entry_id: bytes, fields: dict[bytes, bytes], reason: str) -> None:
        pipe = self.redis.pipeline(transaction=True)
        payload: dict[Any, Any] = dict(fields)
        payload.update({b"reason": reason.encode()[:1000], b"entry": entry_id})
        pipe.xadd(self.config.dead, payload)
        pipe.xack(self.config.stream, self.config.group, entry_id)
        pipe.xdel(self.config.stream, entry_id)
        pipe.execute()
        self.counts.dead += 1
