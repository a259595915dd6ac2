"""Gateway counters in Prometheus text form: decisions, engine failures, status age."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

__all__ = ["CONTENT_TYPE_LATEST", "GatewayMetrics", "metrics_text"]


class GatewayMetrics:
    """One registry per gateway, so several gateways (and tests) in a process never collide."""

    def __init__(self, gateway: str) -> None:
        self.gateway = gateway
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.decisions = Counter(
            "aupguard_gateway_decisions",
            "Messages answered, by action and by who decided (engine, status, throttle, "
            "fail-open, fail-closed, unmapped).",
            ["gateway", "action", "origin"],
            registry=r,
        )
        self.engine_failures = Counter(
            "aupguard_gateway_engine_failures",
            "Calls to the decision engine that failed (error) or missed the deadline (timeout).",
            ["gateway", "kind"],
            registry=r,
        )
        self.latency = Histogram(
            "aupguard_gateway_decision_seconds",
            "Time to answer one message, status check and engine call included.",
            ["gateway"],
            buckets=(0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=r,
        )
        self.status_version = Gauge(
            "aupguard_gateway_status_version",
            "Status version the gateway's cache holds.",
            ["gateway"],
            registry=r,
        )
        self.status_age = Gauge(
            "aupguard_gateway_status_age_seconds",
            "Seconds since the status cache last confirmed the version.",
            ["gateway"],
            registry=r,
        )
        self.status_errors = Counter(
            "aupguard_gateway_status_refresh_errors",
            "Status refreshes that failed (database or API unreachable).",
            ["gateway"],
            registry=r,
        )
        self.backend_errors = Counter(
            "aupguard_gateway_backend_errors",
            "Errors of helper backends (redis throttle and pub/sub, next hop, quarantine).",
            ["gateway", "backend"],
            registry=r,
        )

    def decided(self, action: str, origin: str, seconds: float) -> None:
        self.decisions.labels(self.gateway, action, origin).inc()
        self.latency.labels(self.gateway).observe(seconds)

    def engine_failed(self, kind: str) -> None:
        self.engine_failures.labels(self.gateway, kind).inc()

    def backend_failed(self, backend: str) -> None:
        self.backend_errors.labels(self.gateway, backend).inc()

    def count(self, action: str, origin: str) -> float:
        """Current value of one decisions counter (for tests and the CLI summary)."""
        value = self.registry.get_sample_value(
            "aupguard_gateway_decisions_total",
            {"gateway": self.gateway, "action": action, "origin": origin},
        )
        return value or 0.0


def metrics_text(*metrics: GatewayMetrics) -> bytes:
    """The Prometheus text exposition of these gateways; serve it as CONTENT_TYPE_LATEST."""
    return b"".join(generate_latest(m.registry) for m in metrics)
