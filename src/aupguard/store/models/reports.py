"""Abuse reports as taken in (accepted or rejected) and the reporters who send them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, validates

from aupguard.store.models.base import Base

REPORT_STATES = ("triage", "resolved", "rejected", "duplicate", "voided")
_TEXT_COLUMNS = (
    "filed_by",
    "reporter_address",
    "reporter_name",
    "reporter_org",
    "source_ip",
    "source_network",
    "mapping_key",
    "report_id",
    "summary",
    "tenant_copy",
    "dkim_domain",
    "provider",
    "identity",
    "count_note",
    "rejection_field",
    "rejection_reason",
    "decided_by",
    "note",
)


def _fit(row: Base, key: str, value: str | None) -> str | None:
    length = getattr(row.__table__.c[key].type, "length", None)  # type: ignore[attr-defined]
    return value[:length] if value is not None and length else value


class ReportRow(Base):
    """One report (or refused input): nothing taken in is dropped, rejections keep a reason.

    The reporter's identity is kept for reviewers and reputation; it never leaves in
    anything forwarded to a tenant (`tenant_copy` is the redacted report).
    """

    __tablename__ = "reports"
    __table_args__ = (
        # One report per incident: later copies point at it (duplicate_of) and add nothing.
        Index(
            "uq_reports_incident",
            "digest",
            unique=True,
            sqlite_where=text("duplicate_of IS NULL"),
            postgresql_where=text("duplicate_of IS NULL"),
        ),
        Index("ix_reports_state_received", "state", "received"),
        Index("ix_reports_tenant_clause_received", "tenant_id", "clause", "received"),
        Index("ix_reports_reporter", "reporter_id"),
        Index("ix_reports_event", "event_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    reference: Mapped[str] = mapped_column(String(24), unique=True)  # rpt-... / rej-...
    kind: Mapped[str] = mapped_column(String(20))  # arf, xarf, dsn, ..., or "unparsed"
    channel: Mapped[str] = mapped_column(String(10))  # mailbox, maildir, file, form, api
    received: Mapped[datetime]
    filed_by: Mapped[str | None] = mapped_column(String(100))  # the API key that filed it
    # Who reported: kept here, never forwarded.
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("reporters.id"))
    reporter_address: Mapped[str | None] = mapped_column(String(320))
    reporter_name: Mapped[str | None] = mapped_column(String(200))
    reporter_org: Mapped[str | None] = mapped_column(String(200))
    source_ip: Mapped[str | None] = mapped_column(String(45))
    source_network: Mapped[str | None] = mapped_column(String(50))
    # What it is about.
    mapping_key: Mapped[str | None] = mapped_column(String(100))
    clause: Mapped[str | None] = mapped_column(String(40))
    incident_time: Mapped[datetime | None]
    report_id: Mapped[str | None] = mapped_column(String(500))  # the reporter's own id
    summary: Mapped[str] = mapped_column(String(600), default="")
    keys: Mapped[dict[str, Any]]  # resolution keys as JSON lists
    facts: Mapped[dict[str, Any]]  # bounce, auth failure, notes
    tenant_copy: Mapped[str | None] = mapped_column(String(20000))  # redacted original
    # How far it is authenticated.
    dkim: Mapped[str] = mapped_column(String(10), default="unchecked")
    dkim_domain: Mapped[str | None] = mapped_column(String(253))
    provider: Mapped[str | None] = mapped_column(String(100))  # enrolled feedback loop
    authenticated: Mapped[bool] = mapped_column(default=False)  # enrolled + aligned DKIM
    route: Mapped[str] = mapped_column(String(12))  # escalation, triage, rates
    # Where it stands.
    state: Mapped[str] = mapped_column(String(12))  # REPORT_STATES
    tenant_id: Mapped[str | None] = mapped_column(String(64))  # resolved (or suggested)
    resolved_how: Mapped[str | None] = mapped_column(String(20))  # token, message-id, ...
    candidates: Mapped[list[Any]]  # tenants when ambiguous
    event_id: Mapped[str | None] = mapped_column(String(128))  # the send log row it matched
    identity: Mapped[str | None] = mapped_column(String(320))
    campaign: Mapped[str | None] = mapped_column(String(128))  # the send log's campaign
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    counted: Mapped[bool] = mapped_column(default=False)  # toward automatic escalation
    count_note: Mapped[str | None] = mapped_column(String(300))  # why it does not count
    strike_ref: Mapped[str | None] = mapped_column(String(128))  # the strike it made up
    digest: Mapped[str] = mapped_column(String(64))
    campaign_key: Mapped[str | None] = mapped_column(String(64))
    duplicate_of: Mapped[int | None]
    rejection_field: Mapped[str | None] = mapped_column(String(300))
    rejection_reason: Mapped[str | None] = mapped_column(String(2000))
    size: Mapped[int] = mapped_column(default=0)
    sha256: Mapped[str | None] = mapped_column(String(64))  # of the bytes as received
    decided_by: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(String(2000))
    updated_at: Mapped[datetime]

    # Reports are untrusted: a long value is cut to its column, never a failed write.
    @validates(*_TEXT_COLUMNS)
    def _cut(self, key: str, value: str | None) -> str | None:
        return _fit(self, key, value)


class ReporterRow(Base):
    """Who sends reports, by provider, address or network, with what became of them."""

    __tablename__ = "reporters"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(400), unique=True)  # provider:, address:, network:
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]
    reports: Mapped[int] = mapped_column(default=0)
    resolved: Mapped[int] = mapped_column(default=0)
    voided: Mapped[int] = mapped_column(default=0)
    duplicates: Mapped[int] = mapped_column(default=0)
    rejected: Mapped[int] = mapped_column(default=0)
    muted: Mapped[bool] = mapped_column(default=False)  # new reports are voided on arrival
    muted_by: Mapped[str | None] = mapped_column(String(100))

    @validates("key", "muted_by")
    def _cut(self, key: str, value: str | None) -> str | None:
        return _fit(self, key, value)

    @property
    def reputation(self) -> float:
        """Share of its decided reports that held up, starting at 0.5 (Laplace)."""
        return (self.resolved + 1) / (self.resolved + self.voided + 2)
