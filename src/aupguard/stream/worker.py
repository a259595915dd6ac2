"""A stream worker: read a batch, decide it, acknowledge after the commit; claim dead peers'."""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import redis

from aupguard.decide import Decider, Decision
from aupguard.errors import InputError
from aupguard.events.model import Event
from aupguard.stream.codec import decode
from aupguard.stream.producer import DEAD, GROUP, STREAM

log = logging.getLogger(__name__)
INFLIGHT = "aupguard:inflight"  # consumer -> "pid|first entry of its batch|started"


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

    @property
    def errors(self) -> str:
        """Hash: entry -> its last failure, quoted in its dead letter."""
        return f"{self.stream}:errors"


@dataclass(slots=True)
class Counts:
    decided: int = 0
    dead: int = 0
    failed: int = 0


class Tracker(Protocol):
    """Told which entry is being judged, so a watchdog can name the one a worker is stuck on."""

    def start(self, entry_id: bytes) -> None: ...
    def clear(self) -> None: ...


class NoTracker:
    def start(self, entry_id: bytes) -> None:
        pass

    def clear(self) -> None:
        pass


class StreamWorker:
    def __init__(
        self,
        client: redis.Redis,
        decider: Decider,
        config: WorkerConfig,
        tracker: Tracker | None = None,
    ) -> None:
        self.redis = client
        self.decider = decider
        self.config = config
        self.tracker: Tracker = tracker or NoTracker()
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
        """One round: entries idle at dead peers first, else new ones. Returns entries done."""
        c = self.config
        claimed: Any = self.redis.xautoclaim(
            c.stream, c.group, c.consumer, c.claim_idle_ms, "0-0", count=c.batch
        )
        entries = list(claimed[1]) if claimed else []
        reclaimed = bool(entries)
        if not entries:
            read: Any = self.redis.xreadgroup(
                c.group, c.consumer, {c.stream: ">"}, count=c.batch, block=c.block_ms
            )
            entries = list(read[0][1]) if read else []
        if entries:
            self.handle(entries, reclaimed)
        return len(entries)

    def handle(
        self, entries: list[tuple[bytes, dict[bytes, bytes] | None]], reclaimed: bool
    ) -> None:
        """Decide a batch in one transaction; ack what committed, leave failures pending."""
        c = self.config
        deliveries = self._deliveries([e for e, _ in entries]) if reclaimed else {}
        done: list[bytes] = []
        batch: list[tuple[bytes, Event]] = []
        for entry_id, fields in entries:
            if fields is None:  # deleted while pending
                done.append(entry_id)
                continue
            times = deliveries.get(entry_id, 1)
            if times > c.max_deliveries:
                self._dead_letter(entry_id, fields, f"failed {times - 1} times", times)
                continue
            try:
                batch.append((entry_id, decode(fields[b"event"], f"stream:{entry_id.decode()}")))
            except InputError as exc:
                self._dead_letter(entry_id, fields, exc.reason, times)
        if batch:
            first = batch[0][0].decode()
            self.redis.hset(INFLIGHT, c.consumer, f"{os.getpid()}|{first}|{time.time()}")

            lease = [time.monotonic()]

            def on_event(i: int | None) -> None:
                if i is None:
                    self.tracker.clear()  # writing: a slow commit is not the event's fault
                else:
                    self.tracker.start(batch[i][0])
                if time.monotonic() - lease[0] > c.claim_idle_ms / 3000:
                    self._renew([e for e, _ in batch])  # judged ones too: not yet committed
                    lease[0] = time.monotonic()

            try:
                results = self.decider.decide_many([e for _, e in batch], on_event)
            finally:
                self.tracker.clear()
            failures: dict[bytes, str] = {}
            for (entry_id, _), result in zip(batch, results, strict=True):
                if isinstance(result, Decision):
                    done.append(entry_id)
                else:  # left pending: a later delivery retries it, then dead-letters it
                    failures[entry_id] = f"{type(result).__name__}: {result}"[:1000]
            self.counts.decided += len(batch) - len(failures)
            self.counts.failed += len(failures)
            if failures:
                self.redis.hset(c.errors, mapping=failures)  # type: ignore[arg-type]
        self._ack(done)

    def _renew(self, ids: list[bytes]) -> None:
        """Reset the idle time of the batch's entries, so live peers do not claim them
        while a long batch is under way (JUSTID: the delivery count stays)."""
        c = self.config
        self.redis.xclaim(c.stream, c.group, c.consumer, 0, ids, justid=True)  # type: ignore[arg-type]

    def _deliveries(self, ids: list[bytes]) -> dict[bytes, int]:
        """How often each entry was delivered (one round trip for the batch)."""
        pipe = self.redis.pipeline(transaction=False)
        for entry_id in ids:
            pipe.xpending_range(self.config.stream, self.config.group, entry_id, entry_id, 1)
        out: dict[bytes, int] = {}
        for entry_id, info in zip(ids, pipe.execute(), strict=True):
            if info:
                out[entry_id] = int(info[0]["times_delivered"])
        return out

    def _ack(self, ids: list[bytes]) -> None:
        """After the commit: acknowledged, deleted (the stream's length is the backlog)."""
        c = self.config
        pipe = self.redis.pipeline(transaction=True)
        if ids:
            pipe.xack(c.stream, c.group, *ids)
            pipe.xdel(c.stream, *ids)
            pipe.hdel(c.errors, *ids)
        pipe.hdel(INFLIGHT, c.consumer)
        pipe.execute()

    def _dead_letter(
        self, entry_id: bytes, fields: dict[bytes, bytes], reason: str, deliveries: int
    ) -> None:
        c = self.config
        last: Any = self.redis.hget(c.errors, entry_id)
        if last:
            reason = f"{reason}; last: {last.decode()}"
        dead_letter(self.redis, c, entry_id, fields, reason, deliveries)
        self.counts.dead += 1


def dead_letter(
    client: redis.Redis,
    config: WorkerConfig,
    entry_id: bytes,
    fields: dict[bytes, bytes],
    reason: str,
    deliveries: int,
) -> None:
    """Move an entry to the dead-letter stream with why, how often it was tried and by whom."""
    payload: dict[Any, Any] = dict(fields)
    payload.update(
        {
            b"reason": reason.encode()[:2000],
            b"entry": entry_id,
            b"deliveries": str(deliveries).encode(),
            b"consumer": config.consumer.encode(),
            b"time": f"{time.time():.3f}".encode(),
        }
    )
    pipe = client.pipeline(transaction=True)
    pipe.xadd(config.dead, payload)
    pipe.xack(config.stream, config.group, entry_id)
    pipe.xdel(config.stream, entry_id)
    pipe.hdel(config.errors, entry_id)
    pipe.execute()
