"""The typed inputs of every notice template, and the rendered result the outbox stores."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from aupguard.aup.model import AupDocument

ActionKind = Literal["warn", "restrict", "suspend", "terminate", "reinstate"]
Scope = Literal["tenant", "channel", "identity", "campaign", "agent"]


@dataclass(frozen=True, slots=True)
class ClauseText:
    """A clause as the tenant agreed to it: id, title, verbatim text, document version."""

    id: str
    title: str
    text: str
    document_version: str

    @classmethod
    def of(cls, document: AupDocument, clause_id: str) -> ClauseText:
        clause = document.by_id[clause_id]
        return cls(clause.id, clause.title, clause.text, document.version)


@dataclass(frozen=True, slots=True)
class EvidenceLine:
    """One piece of evidence, already PII-masked: what, where, a short excerpt."""

    summary: str
    where: str = ""
    excerpt: str = ""


@dataclass(frozen=True, slots=True)
class AppealRoute:
    """How to appeal: the reference to quote, where, and until when."""

    reference: str
    url: str
    deadline: date | None = None


@dataclass(frozen=True, slots=True)
class ViolationNotice:
    """A violation was found and recorded in a case; no action (yet)."""

    tenant_name: str
    case_ref: str
    clause: ClauseText
    event_id: str
    channel: str
    event_time: datetime
    facts: tuple[str, ...]
    evidence: tuple[EvidenceLine, ...]
    detected_automatically: bool
    what_next: str
    respond_url: str | None = None


@dataclass(frozen=True, slots=True)
class ActionNotice:
    """An action was taken; the body is a statement of reasons (appeal route required)."""

    tenant_name: str
    action_ref: str
    action: ActionKind
    scope: Scope
    target: str  # '*' for the whole tenant, else the channel, identity, campaign or agent
    effective_at: datetime
    case_ref: str
    clause: ClauseText
    facts: tuple[str, ...]
    evidence: tuple[EvidenceLine, ...]
    detected_automatically: bool
    decided_automatically: bool
    what_next: str
    appeal: AppealRoute | None
    restriction: str | None = None  # throttle, defer, block (for restrict)
    until: datetime | None = None

    def __post_init__(self) -> None:
        if self.appeal is None and self.action != "reinstate":
            raise ValueError(f"a {self.action} notice must say how to appeal (appeal=None)")


@dataclass(frozen=True, slots=True)
class AppealOutcomeNotice:
    """A reviewer decided an appeal: the action was upheld or overturned."""

    tenant_name: str
    appeal_ref: str
    action_ref: str
    case_ref: str
    outcome: Literal["upheld", "overturned"]
    reason: str
    decided_at: datetime
    what_next: str


@dataclass(frozen=True, slots=True)
class AupChangeNotice:
    """A new AUP version was published: what changed, when, how to accept."""

    tenant_name: str
    title: str
    version: str
    effective: date
    previous_version: str | None
    changes: tuple[str, ...]
    document_url: str
    accept_url: str | None = None


@dataclass(frozen=True, slots=True)
class OperatorAlert:
    """A brake stopped automatic actions (or another condition needs an operator)."""

    brake: str
    clause: str | None
    observed: int
    threshold: int
    window: str  # e.g. "10 minutes"
    tripped_at: datetime
    held_actions: int
    console_url: str | None = None
    detail: str = ""


Notice = ViolationNotice | ActionNotice | AppealOutcomeNotice | AupChangeNotice | OperatorAlert


@dataclass(frozen=True, slots=True)
class RenderedNotice:
    """What goes into the outbox: topic, subject, plain-text body, structured payload."""

    topic: str  # violation, action, appeal, aup-change, alert
    subject: str
    body: str
    payload: dict[str, Any]
