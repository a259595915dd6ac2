"""Status watcher: polling every <= 500 ms, Redis notices, TTL, and the fail-closed answer."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import pytest
from redis import Redis

from aupguard.enforce.status import ACTIVE, Status, StatusCache
from aupguard.enforce.statusbus import publish_current
from aupguard.events.model import Channel, Event, MessageContent
from aupguard.gateways.answer import Origin
from aupguard.gateways.statuswatch import StatusWatcher
from aupguard.store.db import Store
from tests.gateways.helpers import act, add_tenant, gateway
from tests.servers import REDIS_HOST, REDIS_PORT, require


class Broken:
    version = 3

    def refresh(self) -> bool:
        raise ConnectionError("database unreachable")

    def has_status(self, tenant: str | None) -> bool:
        return False

    def check(self, tenant: str | None, channel: str, identities: tuple[str, ...] = ()) -> Status:
        return ACTIVE


def test_poll_interval_is_bounded() -> None:
    with pytest.raises(ValueError, match="poll interval"):
        StatusWatcher(Broken(), poll_s=1.0)


def test_stale_status_fails_closed_and_is_counted(db_url: str, tmp_path: Path) -> None:
    gw = gateway(db_url, tmp_path, ttl_s=0.5)
    try:
        watcher = gw.gate.status
        watcher.stop()  # drive it by hand: no refresh in flight can race the test
        watcher.view = Broken()  # the database goes away
        assert not watcher.refresh_now()
        watcher.last_ok -= 10  # and nothing has refreshed for 10 s, beyond the 0.5 s TTL
        assert not watcher.fresh
        event = Event(
            id="x1",
            channel=Channel.SMS,
            tenant="acme",
            content=MessageContent("hi", "+15550100001"),
        )
        answer = gw.gate.check(event)
        assert (answer.action, answer.origin) == ("defer", Origin.FAIL_CLOSED)
        assert (
            gw.metrics.registry.get_sample_value(
                "aupguard_gateway_status_refresh_errors_total", {"gateway": "test"}
            )
            or 0
        ) >= 1
    finally:
        gw.close()


def _latencies(store: Store, watcher: StatusWatcher, redis: Redis | None, n: int) -> list[float]:
    out = []
    for i in range(n):
        before = watcher.view.version
        act(store, "acme", "suspend" if i % 2 == 0 else "reinstate")
        committed = time.monotonic()
        if redis is not None:
            publish_current(store, redis)
        while watcher.view.version == before and time.monotonic() - committed < 3:
            time.sleep(0.002)
        out.append(time.monotonic() - committed)
        time.sleep(0.13 * (i % 4))  # land at different points of the poll cycle
    return out


@pytest.mark.redis
def test_redis_notice_beats_the_poll(tmp_path: Path) -> None:
    require(REDIS_HOST, REDIS_PORT, "Redis")
    store = Store(f"sqlite:///{tmp_path / 'a.db'}")
    add_tenant(store, "acme", "acme.example")
    redis = Redis(REDIS_HOST, REDIS_PORT)
    polled = StatusWatcher(StatusCache(store), poll_s=0.5).start()
    notified = StatusWatcher(StatusCache(store), poll_s=0.5, redis=redis).start()
    try:
        time.sleep(0.3)  # let the subscription settle
        poll = _latencies(store, polled, None, 6)
        push = _latencies(store, notified, redis, 6)
    finally:
        polled.stop()
        notified.stop()
    print(
        f"median seen after: poll {statistics.median(poll) * 1000:.0f} ms, "
        f"redis {statistics.median(push) * 1000:.0f} ms"
    )
    assert max(poll) < 1.0 and max(push) < 1.0
    assert statistics.median(push) < statistics.median(poll)
