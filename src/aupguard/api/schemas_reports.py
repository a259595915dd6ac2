"""Request and response bodies of the report endpoints (intake, status, triage, reporters)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from aupguard.api.schemas import Out


class ReceiptOut(Out):
    """What a reporter is told: the reference to quote, and where the report stands."""

    reference: str
    status: Literal["accepted", "duplicate", "rejected"]
    state: str
    detail: str = ""


class ReportStatusOut(Out):
    """A report's status for the reporter who filed it: no tenant, no case."""

    reference: str
    kind: str
    received: datetime
    state: str
    clause: str | None
    rejection_field: str | None
    rejection_reason: str | None


class ReportOut(Out):
    """A report as reviewers see it (the reporter included: never sent to a tenant)."""

    reference: str
    kind: str
    channel: str
    received: datetime
    state: str
    mapping_key: str | None
    clause: str | None
    summary: str
    reporter_id: int | None
    reporter_address: str | None
    reporter_org: str | None
    source_ip: str | None
    authenticated: bool
    provider: str | None
    tenant_id: str | None
    resolved_how: str | None
    candidates: list[str]
    event_id: str | None
    case_id: int | None
    counted: bool
    count_note: str | None
    campaign_key: str | None
    keys: dict[str, Any]
    rejection_field: str | None
    rejection_reason: str | None
    note: str | None


class ReporterOut(Out):
    id: int
    key: str
    first_seen: datetime
    last_seen: datetime
    reports: int
    resolved: int
    voided: int
    duplicates: int
    rejected: int
    muted: bool
    reputation: float


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ResolveIn(Strict):
    tenant: str = Field(min_length=1, max_length=64)
    clause: str | None = Field(default=None, max_length=40)
    note: str = Field(default="", max_length=2000)


class DuplicateIn(Strict):
    of: str = Field(min_length=5, max_length=24, description="the reference of the first report")


class VoidIn(Strict):
    reason: str = Field(min_length=3, max_length=2000)


class BulkVoidIn(VoidIn):
    mute: bool = Field(default=False, description="void what this reporter sends from now on")


class BulkVoidOut(Out):
    reporter_id: int
    voided: int
    muted: bool


class RatesOut(Out):
    tenant_id: str
    identity: str | None = Field(description="None: the whole tenant")
    sent: int
    complaints: int
    hard_bounces: int
    soft_bounces: int
    complaint_rate: float
    bounce_rate: float
