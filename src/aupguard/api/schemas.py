"""Request and response bodies of the API (the OpenAPI contract is generated from these)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field

# Ids stay within JSON's exact integers (2**53 - 1, what JavaScript and float-based JSON
# parsers keep exactly); beyond 2**63 - 1 the database driver overflows (a server error).
MAX_ID = 2**53 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class DecisionOut(Out):
    event_id: str
    action: Literal["allow", "flag", "hold", "defer", "block"]
    reason: str
    case_ref: str | None = None
    feedback_token: str | None = None
    clauses: list[str] = Field(default_factory=list)
    replayed: bool = False


class BatchOut(Out):
    decisions: list[DecisionOut]
    errors: list[dict[str, Any]]


class StatusOut(Out):
    tenant: str
    channel: str
    may_send: bool
    state: str
    restriction: str | None
    case_ref: str | None
    version: int


class VersionOut(Out):
    version: int


class StatusEntryOut(Out):
    """One status that is not active; `*` means every channel / the whole tenant."""

    tenant: str
    channel: str
    identity: str
    state: Literal["restricted", "suspended", "terminated"]
    restriction: str | None
    case_id: int | None
    action_id: int | None


class StatusTableOut(Out):
    """GET /v1/status: the status version and every status that is not active."""

    version: int
    entries: list[StatusEntryOut]


class TenantIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{1,63}$")
    name: str = Field(min_length=1, max_length=200)
    contact_email: str | None = Field(default=None, max_length=320)
    webhook_url: str | None = Field(default=None, max_length=2000)


class IdentityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["domain", "alias", "remailer", "number", "sender_id", "ip_range", "brand"]
    value: str = Field(min_length=1, max_length=320)
    workload: str | None = Field(default=None, max_length=64)


class IdentityOut(Out):
    id: int
    kind: str
    value: str
    workload: str | None
    proof: str | None
    verified_at: datetime | None


class VerifyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    record: str | None = Field(default=None, max_length=500)


class TenantOut(Out):
    id: str
    name: str
    contact_email: str | None
    webhook_url: str | None
    created_at: datetime
    status: str = "active"
    identities: list[IdentityOut] = Field(default_factory=list)


class CaseOut(Out):
    id: int
    ref: str
    tenant_id: str
    clause: str
    state: str
    severity: int
    needs_fast_review: bool
    opened_at: datetime
    due_at: datetime


class ItemOut(Out):
    id: int
    kind: str
    ref: str
    actor: str
    body: dict[str, Any]
    created_at: datetime


class ActionOut(Out):
    id: int
    tenant_id: str
    kind: str
    scope: str
    target: str
    restriction: str | None
    clause: str | None
    case_id: int | None
    actor: str
    automated: bool
    state: str
    reason: str
    statement: dict[str, Any]
    created_at: datetime


class CaseDetail(CaseOut):
    items: list[ItemOut]
    actions: list[ActionOut]


class Page(Out):
    """A page of results; pass `next_cursor` as `cursor` for the next one (None: the end)."""

    items: list[Any]
    next_cursor: str | None


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=5000)


class StateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    state: Literal["open", "in_review", "actioned", "dismissed", "closed"]
    note: str = Field(default="", max_length=2000)


class ActionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tenant_id: str = Field(min_length=1, max_length=64)
    kind: Literal["warn", "restrict", "suspend", "terminate", "reinstate"]
    reason: str = Field(min_length=3, max_length=2000)
    scope: Literal["tenant", "channel", "identity", "campaign", "agent"] = "tenant"
    target: str = Field(default="*", max_length=320)
    restriction: Literal["throttle", "defer", "block"] | None = None
    clause: str | None = Field(default=None, max_length=40)
    case_id: Id | None = None


class AppealIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action_id: Id
    tenant_id: str = Field(min_length=1, max_length=64)
    statement: str = Field(min_length=1, max_length=5000)


class AppealDecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: Literal["uphold", "overturn"]
    reason: str = Field(min_length=3, max_length=2000)


class AppealOut(Out):
    id: int
    action_id: int
    tenant_id: str
    statement: str
    state: str
    reviewer: str | None
    decision_reason: str | None
    created_at: datetime
    decided_at: datetime | None


class AupVersionOut(Out):
    version: str
    effective: date
    digest: str
    published_at: datetime
    published_by: str


class AupDocumentOut(Out):
    version: str
    effective: date
    title: str
    clauses: list[dict[str, Any]]


class PublishIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    yaml: str = Field(min_length=10, max_length=200_000)


class AcceptanceOut(Out):
    tenant_id: str
    how: str | None
    at: datetime | None


class RulesetDraftIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    yaml: str = Field(min_length=10, max_length=500_000)
    sample: int = Field(default=1000, ge=1, le=20_000)


class ShadowOut(Out):
    diff: list[str]
    evaluated: int
    changed: int
    by_action: dict[str, dict[str, int]]  # current action -> draft action -> count


class RulesetOut(Out):
    hash: str
    version: str
    activated_at: datetime
    actor: str
    active: bool


class AuditOut(Out):
    seq: int
    time: datetime
    actor: str
    kind: str
    subject: str
    data: dict[str, Any]
    hash: str
