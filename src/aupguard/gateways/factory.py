"""Assemble a gate from settings: transport, status watcher, throttle backend, tenant map."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from redis import Redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from aupguard.decide import Decider
from aupguard.enforce.identities import IdentitySnapshot
from aupguard.enforce.status import StatusCache
from aupguard.engine import Engine
from aupguard.errors import ConfigError
from aupguard.gateways.gate import Gate, GateConfig
from aupguard.gateways.http import HttpStatusView, HttpTransport
from aupguard.gateways.metrics import GatewayMetrics
from aupguard.gateways.statuswatch import StatusView, StatusWatcher
from aupguard.gateways.tenantmap import TenantMap
from aupguard.gateways.throttle import Buckets, BucketSpec, MemoryBuckets, RedisBuckets
from aupguard.gateways.transport import InProcess, Transport
from aupguard.rules.model import Ruleset
from aupguard.settings import Settings
from aupguard.store.db import Store


@dataclass(frozen=True, slots=True)
class GatewaySetup:
    """Everything a gateway process is told; `api_url` set means the engine is remote."""

    name: str
    db_url: str | None = None
    api_url: str | None = None
    api_key: str | None = None
    redis_url: str | None = None
    failure_mode: Literal["open", "closed"] = "closed"
    deadline_s: float = 5.0
    poll_s: float = 0.5
    ttl_s: float = 5.0
    throttle: BucketSpec = field(default_factory=BucketSpec)
    settings: Settings = field(default_factory=Settings)


@dataclass(slots=True)
class Gateway:
    """A running gate with what the faces need around it."""

    gate: Gate
    tenants: TenantMap | None  # None: no database, the caller names the tenant
    metrics: GatewayMetrics
    redis: Redis | None = None

    def close(self) -> None:
        self.gate.close()
        if self.redis is not None:
            self.redis.close()


def _redis(url: str | None) -> Redis | None:
    if not url:
        return None
    # Short timeouts and no retries: a hung Redis must cost a throttle check little, and the
    # throttle falls back to memory for a while (throttle.RedisBuckets) rather than wait.
    return Redis.from_url(
        url, socket_timeout=1.0, socket_connect_timeout=1.0, retry=Retry(NoBackoff(), 0)
    )


def build_gateway(
    setup: GatewaySetup, *, ruleset: Ruleset | None = None, engine: Engine | None = None
) -> Gateway:
    """In-process decider on `db_url`, or the HTTP API at `api_url` (status from the database
    when `db_url` is also given, else from GET /v1/status)."""
    if not setup.db_url and not setup.api_url:
        raise ConfigError("a gateway needs a database URL (--db) or the decide API (--api)")
    metrics = GatewayMetrics(setup.name)
    store = Store(setup.db_url) if setup.db_url else None
    transport: Transport
    view: StatusView
    tenants: TenantMap | None = None
    if setup.api_url:
        transport = HttpTransport(setup.api_url, timeout=setup.deadline_s, api_key=setup.api_key)
        view = StatusCache(store) if store else HttpStatusView(setup.api_url, api_key=setup.api_key)
        tenants = TenantMap(store) if store else None
    else:
        assert store is not None
        decider = Decider(store, ruleset=ruleset, settings=setup.settings, engine=engine)
        decider.engine.warm_up()  # models load before the first message's deadline runs

        def follow(snap: IdentitySnapshot) -> None:
            decider.directory = snap

        transport, view = InProcess(decider), decider.status
        tenants = TenantMap(store, on_change=follow)
    redis = _redis(setup.redis_url)
    buckets: Buckets = MemoryBuckets(setup.throttle)
    if redis is not None:
        buckets = RedisBuckets(
            redis, setup.throttle, on_error=lambda _: metrics.backend_failed("redis-throttle")
        )
    watcher = StatusWatcher(
        view, poll_s=setup.poll_s, ttl_s=setup.ttl_s, redis=redis, metrics=metrics
    ).start()
    config = GateConfig(setup.failure_mode, setup.deadline_s)
    return Gateway(Gate(transport, watcher, buckets, config, metrics), tenants, metrics, redis)
