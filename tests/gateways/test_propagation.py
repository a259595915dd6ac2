"""A suspension committed by another process is enforced by a running gateway within a second."""

from __future__ import annotations

import smtplib
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis import Redis

from aupguard.enforce.statusbus import publish_current
from aupguard.store.db import Store
from tests.gateways.helpers import Sink, act, add_tenant, message
from tests.gateways.procs import start_relay
from tests.servers import REDIS_HOST, REDIS_PORT, postgres_schema, require

REDIS_URL = f"redis://{REDIS_HOST}:{REDIS_PORT}/0"


def _suspend(db_url: str, redis_url: str | None) -> float:
    """What the API (or a reviewer's CLI) does in its own process: act, commit, announce."""
    store = Store(db_url, migrate=False)
    act(store, "acme", "suspend")
    committed = time.time()
    if redis_url:
        publish_current(store, Redis.from_url(redis_url))
    store.dispose()
    return committed


def _probe(port: int) -> tuple[int, float]:
    raw = message("news@acme.example", "dest@example.org", "probe")
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        client.ehlo("probe.aupguard.test")
        client.mail("news@acme.example")
        client.rcpt("dest@example.org")
        code, _ = client.data(raw)
    return code, time.time()


@pytest.fixture(params=[("sqlite", "poll"), ("postgresql", "redis")], ids=lambda p: "-".join(p))
def setup(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str | None]]:
    """Each database once and each bus once: a gateway process costs seconds to start."""
    db, bus = request.param
    redis_url = None
    if bus == "redis":
        require(REDIS_HOST, REDIS_PORT, "Redis")
        redis_url = REDIS_URL
    if db == "sqlite":
        yield f"sqlite:///{tmp_path / 'aupguard.db'}", redis_url
    else:
        with postgres_schema() as url:
            yield url, redis_url


def test_suspension_reaches_gateway_within_a_second(
    setup: tuple[str, str | None], tmp_path: Path
) -> None:
    db_url, redis_url = setup
    bus = "redis" if redis_url else "poll"
    store = Store(db_url)
    add_tenant(store, "acme", "acme.example")
    store.dispose()
    sink = Sink()
    extra = ("--redis", redis_url) if redis_url else ()
    relay = start_relay(db_url, tmp_path, sink.port, *extra)
    try:
        assert _probe(relay.port)[0] == 250
        # Probe without pause from a thread while another process suspends the tenant.
        results: list[tuple[int, float]] = []
        stop = threading.Event()

        def probe_loop() -> None:
            while not stop.is_set():
                results.append(_probe(relay.port))

        prober = threading.Thread(target=probe_loop)
        prober.start()
        try:
            # This test process is not the gateway's: the change reaches it only through the
            # status tables (and the Redis notice), as a change made by the API would.
            committed = _suspend(db_url, redis_url)
            end = time.time() + 5
            while time.time() < end and not any(c == 550 for c, t in results if t > committed):
                time.sleep(0.02)
        finally:
            stop.set()
            prober.join(30)
        refused = [t for c, t in results if c == 550]
        assert refused, relay.log()
        assert all(c == 250 for c, t in results if t < committed)
        latency = refused[0] - committed
        print(f"{bus}: suspension enforced {latency * 1000:.0f} ms after commit")
        assert latency < 1.0
    finally:
        relay.stop()
        sink.stop()
