"""One event between judging and recording: what the decision component knows before it
writes, and the refusals that status alone decides."""

from __future__ import annotations

from dataclasses import dataclass

from aupguard.aup.model import AupDocument
from aupguard.enforce.status import Status
from aupguard.events.model import Event
from aupguard.events.views import Views
from aupguard.recording import EventFacts
from aupguard.rules.model import Action
from aupguard.rules.verdict import Verdict


@dataclass(frozen=True, slots=True)
class Judged:
    """One event judged (status, then the engine), not yet recorded."""

    index: int
    event: Event
    facts: EventFacts
    verdict: Verdict | None
    current: Status
    refusal: tuple[Action, str] | None
    document: AupDocument
    views: Views | None

    @property
    def enforce(self) -> bool:
        return enforces(self.verdict)


def enforces(verdict: Verdict | None) -> bool:
    """Recording this verdict takes the tenant's lock and may change its status."""
    return verdict is not None and (
        bool(verdict.violated) or verdict.shadow_action is not Action.ALLOW
    )


def refusal_of(current: Status) -> tuple[Action, str] | None:
    """Status alone decides: a suspended tenant is refused without content checks."""
    ref = f" (case AUP-{current.case_id:06d})" if current.case_id else ""
    if current.state in ("suspended", "terminated"):
        return Action.BLOCK, f"tenant {current.state}{ref}"
    if current.state == "restricted" and current.restriction == "block":
        return Action.BLOCK, f"restricted: sending blocked{ref}"
    if current.state == "restricted" and current.restriction == "defer":
        return Action.DEFER, f"restricted: deferred{ref}"
    return None
