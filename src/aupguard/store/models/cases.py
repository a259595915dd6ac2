"""Cases per tenant and clause, their items, strikes, actions and appeals."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from aupguard.store.models.base import Base

OPEN_STATES = ("open", "in_review", "actioned")


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        # One open case per tenant and clause, enforced by the database itself.
        Index(
            "uq_cases_one_open",
            "tenant_id",
            "clause",
            unique=True,
            sqlite_where=text("state IN ('open', 'in_review', 'actioned')"),
            postgresql_where=text("state IN ('open', 'in_review', 'actioned')"),
        ),
        Index("ix_cases_queue", "state", "severity", "due_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    clause: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(20))  # open, in_review, actioned, dismissed, closed
    severity: Mapped[int]
    needs_fast_review: Mapped[bool] = mapped_column(default=False)
    legal_hold: Mapped[bool] = mapped_column(default=False)  # evidence preserved, restricted
    opened_at: Mapped[datetime]
    due_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]

    @property
    def ref(self) -> str:
        return f"AUP-{self.id:06d}"


class CaseItem(Base):
    """A violation, report, note, action or appeal that belongs to a case."""

    __tablename__ = "case_items"
    __table_args__ = (UniqueConstraint("case_id", "kind", "ref"),)
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    ref: Mapped[str] = mapped_column(String(128))  # event id, report id, action id, ...
    actor: Mapped[str] = mapped_column(String(100))
    body: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]


class Strike(Base):
    __tablename__ = "strikes"
    __table_args__ = (
        UniqueConstraint("event_id", "clause"),
        Index("ix_strikes_tenant_clause_time", "tenant_id", "clause", "time"),
    )
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    clause: Mapped[str] = mapped_column(String(40))
    event_id: Mapped[str] = mapped_column(String(128))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    deterministic: Mapped[bool]
    detectors: Mapped[list[Any]]  # ["name@version", ...] that contributed
    time: Mapped[datetime]
    removed_by: Mapped[int | None]  # the appeal that removed it


class Action(Base):
    """warn, restrict, suspend, terminate, reinstate: subject, actor, reason, time."""

    __tablename__ = "actions"
    __table_args__ = (Index("ix_actions_tenant_time", "tenant_id", "created_at"),)
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    kind: Mapped[str] = mapped_column(String(20))
    scope: Mapped[str] = mapped_column(String(20))  # tenant, channel, identity, campaign, agent
    target: Mapped[str] = mapped_column(String(320))  # '*' or the channel / identity / ...
    restriction: Mapped[str | None] = mapped_column(String(20))  # throttle, defer, block
    clause: Mapped[str | None] = mapped_column(String(40))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    actor: Mapped[str] = mapped_column(String(100))  # system, reviewer:<name>, key:<id>
    automated: Mapped[bool]
    state: Mapped[str] = mapped_column(
        String(20)
    )  # effective, pending_approval, shadow, braked, overturned
    approved_by: Mapped[str | None] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(String(2000))
    statement: Mapped[dict[str, Any]]  # statement of reasons: facts, clause, automated, appeal
    created_at: Mapped[datetime]


class Appeal(Base):
    __tablename__ = "appeals"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id"), index=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    statement: Mapped[str] = mapped_column(String(5000))
    state: Mapped[str] = mapped_column(String(20))  # open, upheld, overturned
    reviewer: Mapped[str | None] = mapped_column(String(100))
    decision_reason: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
