"""Prometheus metrics: decisions by action and channel, decide latency, HTTP errors."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

REGISTRY = CollectorRegistry()
DECISIONS = Counter(
    "aupguard_decisions_total", "Events decided", ["channel", "action"], registry=REGISTRY
)
DECIDE_SECONDS = Histogram(
    "aupguard_decide_seconds",
    "Time to decide one event",
    ["channel"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
    registry=REGISTRY,
)
HTTP_ERRORS = Counter(
    "aupguard_http_errors_total", "Responses with status >= 500", ["path"], registry=REGISTRY
)
STATUS_VERSION = Gauge(
    "aupguard_status_version", "Status version seen by this process", registry=REGISTRY
)


def exposition() -> bytes:
    return generate_latest(REGISTRY)
