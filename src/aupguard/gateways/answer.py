"""What a gateway answers for one message: the action, a reason safe to show, and its origin."""

from __future__ import annotations

import enum
from dataclasses import dataclass

ACTIONS = ("allow", "hold", "defer", "block")


class Origin(enum.StrEnum):
    """Who decided: the engine, the status cache alone, a throttle, or a failure mode."""

    ENGINE = "engine"
    STATUS = "status"  # the tenant's status refused it; no content check was needed
    THROTTLE = "throttle"  # a throttled tenant, identity or campaign over its rate
    FAIL_OPEN = "fail-open"  # the engine failed or was too slow and the gateway lets mail pass
    FAIL_CLOSED = "fail-closed"  # ... and the gateway defers (never a permanent refusal)
    UNMAPPED = "unmapped"  # no tenant owns the sender and the gateway refuses such mail


@dataclass(frozen=True, slots=True)
class Answer:
    """One of allow, hold, defer, block; `reason` names a clause or a status, never a score."""

    action: str
    reason: str
    origin: Origin
    case_ref: str | None = None
    feedback_token: str | None = None
    event_id: str | None = None

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise ValueError(f"gate action {self.action!r} is not one of {', '.join(ACTIONS)}")


def gate_action(decision_action: str) -> str:
    """The decision component's five actions on the gateway's four: a flag passes."""
    return "allow" if decision_action == "flag" else decision_action
