"""How a gate reaches the decision component: in this process now, over HTTP (http.py) later."""

from __future__ import annotations

import threading
from typing import Protocol

from aupguard.decide import Decider, Decision
from aupguard.events.model import Event
from aupguard.gateways.answer import Answer, Origin, gate_action


class Transport(Protocol):
    """One round trip: the event in, the answer out; raises on any failure (the gate decides
    what a failure means)."""

    def decide(self, event: Event) -> Answer: ...
    def close(self) -> None: ...


def public_reason(action: str, reason: str) -> str:
    """The decision's reason without its action prefix ('BLOCK: violates malware')."""
    first = reason.splitlines()[0] if reason else action
    head, sep, rest = first.partition(": ")
    return rest if sep and head.lower() == action.lower() else first


def answer_of(decision: Decision) -> Answer:
    action = gate_action(decision.action)
    return Answer(
        action,
        public_reason(decision.action, decision.reason),
        Origin.ENGINE,
        decision.case_ref,
        decision.feedback_token,
        decision.event_id,
    )


class InProcess:
    """Calls a Decider here; one decision at a time (the engine and its state are not
    thread-safe, and CPU-bound Python gains nothing from more threads)."""

    def __init__(self, decider: Decider) -> None:
        self.decider = decider
        self._lock = threading.Lock()

    def decide(self, event: Event) -> Answer:
        with self._lock:
            return answer_of(self.decider.decide(event))

    def close(self) -> None:
        self.decider.store.dispose()
