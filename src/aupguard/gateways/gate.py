"""The gate every enforcement point shares: status first, throttle, engine under a deadline."""

from __future__ import annotations

import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Literal

from aupguard.enforce.status import Status
from aupguard.events.model import Event
from aupguard.events.normalize import views_for
from aupguard.gateways.answer import Answer, Origin
from aupguard.gateways.metrics import GatewayMetrics
from aupguard.gateways.statuswatch import StatusWatcher
from aupguard.gateways.throttle import Buckets
from aupguard.gateways.transport import Transport
from aupguard.recording import facts_of

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class GateConfig:
    failure_mode: Literal["open", "closed"] = "closed"
    deadline_s: float = 5.0  # the engine's answer must come within this, else failure_mode
    workers: int = 4  # threads waiting on the transport (HTTP calls overlap; in-process queue)

    def __post_init__(self) -> None:
        if self.failure_mode not in ("open", "closed"):
            raise ValueError(f"failure mode must be 'open' or 'closed', not {self.failure_mode!r}")
        if self.deadline_s <= 0:
            raise ValueError("the engine deadline must be positive")


def case_ref(status: Status) -> str | None:
    return f"AUP-{status.case_id:06d}" if status.case_id else None


def status_refusal(status: Status) -> tuple[str, str] | None:
    """What the status alone answers, with no content check: block, defer, or nothing."""
    if status.state in ("suspended", "terminated"):
        return "block", f"sender {status.state}"
    if status.state == "restricted" and status.restriction == "block":
        return "block", "sending blocked for this sender"
    if status.state == "restricted" and status.restriction == "defer":
        return "defer", "sending deferred for this sender"
    return None


def subject_keys(event: Event) -> tuple[str, ...]:
    """The identity, campaign and agent keys the status is kept under (as the decider sees)."""
    return facts_of(event, b"", views_for(event)).identities


class Gate:
    """Answers allow, hold, defer or block for one event; thread-safe; never raises on the
    engine's failures (they become the configured failure mode, counted in metrics)."""

    def __init__(
        self,
        transport: Transport,
        status: StatusWatcher,
        buckets: Buckets,
        config: GateConfig | None = None,
        metrics: GatewayMetrics | None = None,
    ) -> None:
        self.transport = transport
        self.status = status
        self.buckets = buckets
        self.config = config or GateConfig()
        self.metrics = metrics or GatewayMetrics("gate")
        self._pool = ThreadPoolExecutor(self.config.workers, thread_name_prefix="aupguard-gate")

    def check(self, event: Event) -> Answer:
        started = time.perf_counter()
        answer = self._check(event)
        self.metrics.decided(answer.action, answer.origin.value, time.perf_counter() - started)
        return answer

    def _check(self, event: Event) -> Answer:
        if not self.status.fresh and self.config.failure_mode == "closed":
            self.metrics.engine_failed("status-stale")
            return Answer("defer", "status unknown", Origin.FAIL_CLOSED, event_id=event.id)
        # Identity and campaign keys cost a parse: only worth it when the tenant has a status.
        keys = subject_keys(event) if self.status.has_status(event.tenant) else ()
        current = self.status.check(event.tenant, event.channel.value, keys)
        refusal = status_refusal(current)
        if refusal is not None:
            action, reason = refusal
            return Answer(action, reason, Origin.STATUS, case_ref(current), event_id=event.id)
        # One bucket per throttle action: every gateway and every message it covers share it.
        throttled = current.state == "restricted" and current.restriction == "throttle"
        if throttled and not self.buckets.take(f"{event.tenant}:{current.action_id}"):
            return Answer(
                "defer", "rate limited", Origin.THROTTLE, case_ref(current), event_id=event.id
            )
        return self._engine(event)

    def _engine(self, event: Event) -> Answer:
        future: Future[Answer] = self._pool.submit(self.transport.decide, event)
        try:
            return future.result(timeout=self.config.deadline_s)
        except FutureTimeout:
            future.cancel()  # still queued: never runs; already running: its result is dropped
            self.metrics.engine_failed("timeout")
            log.warning("engine missed the %.1f s deadline: %s", self.config.deadline_s, event.id)
            return self._failed(event, "engine too slow")
        except Exception as exc:
            self.metrics.engine_failed("error")
            log.warning("engine failed for %s: %s", event.id, exc)
            return self._failed(event, "engine unavailable")

    def _failed(self, event: Event, why: str) -> Answer:
        if self.config.failure_mode == "open":
            return Answer("allow", why, Origin.FAIL_OPEN, event_id=event.id)
        return Answer("defer", why, Origin.FAIL_CLOSED, event_id=event.id)

    def close(self) -> None:
        self.status.stop()
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.transport.close()
