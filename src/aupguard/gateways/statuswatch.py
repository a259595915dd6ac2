"""Keep a status cache fresh: poll the version at least every 500 ms, at once on a Redis notice."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

from redis import Redis
from redis.client import PubSub
from redis.exceptions import RedisError

from aupguard.enforce.status import Status
from aupguard.enforce.statusbus import CHANNEL
from aupguard.gateways.metrics import GatewayMetrics

log = logging.getLogger(__name__)
MAX_POLL_S = 0.5


class StatusView(Protocol):
    """A status table in memory (enforce.status.StatusCache, or the HTTP one)."""

    @property
    def version(self) -> int: ...
    def refresh(self) -> bool: ...
    def has_status(self, tenant: str | None) -> bool: ...
    def check(
        self, tenant: str | None, channel: str, identities: tuple[str, ...] = ()
    ) -> Status: ...


class StatusWatcher:
    """Refreshes `view` from a background thread; `fresh` is False once it is older than `ttl_s`.

    Without Redis the thread polls every `poll_s` (<= 0.5 s). With Redis it waits on the
    status channel for at most `poll_s`, so a published change is seen in milliseconds and
    a lost notice still within one poll. A Redis outage degrades to plain polling.
    """

    def __init__(
        self,
        view: StatusView,
        *,
        poll_s: float = MAX_POLL_S,
        ttl_s: float = 5.0,
        redis: Redis | None = None,
        metrics: GatewayMetrics | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not 0 < poll_s <= MAX_POLL_S:
            raise ValueError(f"poll interval must be in (0, {MAX_POLL_S}] seconds, got {poll_s}")
        if ttl_s < poll_s:
            raise ValueError(f"status TTL {ttl_s} s must not be shorter than the poll {poll_s} s")
        self.view = view
        self.poll_s = poll_s
        self.ttl_s = ttl_s
        self.redis = redis
        self.metrics = metrics
        self.clock = clock
        self.last_ok = -float("inf")
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pubsub: PubSub | None = None
        self._redis_retry_at = 0.0

    def refresh_now(self) -> bool:
        """One refresh; errors are counted and leave the old table (and its age) in place."""
        try:
            changed = self.view.refresh()
        except Exception as exc:  # database or API unreachable: stale until the TTL runs out
            log.warning("status refresh failed: %s", exc)
            if self.metrics:
                self.metrics.status_errors.labels(self.metrics.gateway).inc()
            return False
        self.last_ok = self.clock()
        if self.metrics:
            self.metrics.status_version.labels(self.metrics.gateway).set(self.view.version)
        return changed

    @property
    def age_s(self) -> float:
        return self.clock() - self.last_ok

    @property
    def fresh(self) -> bool:
        return self.age_s <= self.ttl_s

    def has_status(self, tenant: str | None) -> bool:
        return self.view.has_status(tenant)

    def check(self, tenant: str | None, channel: str, identities: tuple[str, ...] = ()) -> Status:
        return self.view.check(tenant, channel, identities)

    def start(self) -> StatusWatcher:
        self.refresh_now()
        self._thread = threading.Thread(target=self._run, name="aupguard-status", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2 * self.poll_s + 1)
        self._close_pubsub()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wait()
            self.refresh_now()
            if self.metrics:
                self.metrics.status_age.labels(self.metrics.gateway).set(max(0.0, self.age_s))

    def _wait(self) -> None:
        """Until a notice arrives or `poll_s` passes."""
        pubsub = self._subscribed()
        if pubsub is None:
            self._stop.wait(self.poll_s)
            return
        deadline = self.clock() + self.poll_s
        try:
            while not self._stop.is_set():
                left = deadline - self.clock()
                if left <= 0:
                    return
                message = pubsub.get_message(ignore_subscribe_messages=True, timeout=left)
                if message is not None and message.get("type") == "message":
                    return
        except (RedisError, OSError) as exc:
            log.warning("status notices from Redis lost (%s); polling only", exc)
            if self.metrics:
                self.metrics.backend_failed("redis-pubsub")
            self._close_pubsub()
            self._redis_retry_at = self.clock() + 5.0

    def _subscribed(self) -> PubSub | None:
        if self.redis is None or self._pubsub is not None or self.clock() < self._redis_retry_at:
            return self._pubsub
        try:
            pubsub: PubSub = self.redis.pubsub()  # type: ignore[no-untyped-call]
            pubsub.subscribe(CHANNEL)
        except (RedisError, OSError) as exc:
            log.warning("cannot subscribe to %s (%s); polling only", CHANNEL, exc)
            if self.metrics:
                self.metrics.backend_failed("redis-pubsub")
            self._redis_retry_at = self.clock() + 5.0
            return None
        self._pubsub = pubsub
        return pubsub

    def _close_pubsub(self) -> None:
        if self._pubsub is not None:
            with contextlib.suppress(RedisError, OSError):
                self._pubsub.close()
            self._pubsub = None
