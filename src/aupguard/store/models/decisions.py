"""What was decided: applied event ids, the send log (by day) and the verdicts kept."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from aupguard.store.models.base import Base


class AppliedEvent(Base):
    """The idempotency key: an event id is decided once; a redelivery changes nothing."""

    __tablename__ = "applied_events"
    event_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    tenant_id: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(String(500))
    case_ref: Mapped[str | None] = mapped_column(String(40))
    decided_at: Mapped[datetime]


class SendLogRow(Base):
    """Every decided event, allowed ones included; purged by day after the retention."""

    __tablename__ = "send_log"
    __table_args__ = (
        Index("ix_send_log_day", "day"),
        Index("ix_send_log_message_id", "message_id"),
        Index("ix_send_log_token", "feedback_token"),
        Index("ix_send_log_ip_time", "sending_ip", "time"),
        Index("ix_send_log_tenant_time", "tenant_id", "time"),
        Index("ix_send_log_campaign", "campaign"),
    )
    event_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    time: Mapped[datetime]
    tenant_id: Mapped[str | None] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(10))
    identity: Mapped[str | None] = mapped_column(String(320))
    message_id: Mapped[str | None] = mapped_column(String(500))
    recipient_digest: Mapped[str | None] = mapped_column(String(64))
    recipients: Mapped[int] = mapped_column(default=0)
    sending_ip: Mapped[str | None] = mapped_column(String(45))
    campaign: Mapped[str | None] = mapped_column(String(128))
    feedback_token: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(10))


class VerdictRecord(Base):
    """A verdict worth keeping: signals, masked evidence, digests, policy versions."""

    __tablename__ = "verdicts"
    __table_args__ = (
        Index("ix_verdicts_tenant_time", "tenant_id", "time"),
        Index("ix_verdicts_batch", "batch_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(128), unique=True)
    tenant_id: Mapped[str | None] = mapped_column(String(64))
    time: Mapped[datetime]
    channel: Mapped[str] = mapped_column(String(10))
    action: Mapped[str] = mapped_column(String(10))
    shadow_action: Mapped[str] = mapped_column(String(10))
    clauses: Mapped[list[Any]]  # violated clause ids
    scores: Mapped[dict[str, Any]]
    signals: Mapped[list[Any]]  # [{name, strength, deterministic, detector, version, evidence}]
    explanation: Mapped[list[Any]]
    document_version: Mapped[str] = mapped_column(String(20))
    ruleset_version: Mapped[str] = mapped_column(String(40))
    ruleset_hash: Mapped[str] = mapped_column(String(64))
    model_hashes: Mapped[dict[str, Any]]
    content_digest: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(64))  # audit.merkle.verdict_digest of this record
    # The Merkle batch that sealed it. Membership is by this column, not an id range: on
    # PostgreSQL a verdict with a lower id can commit after a higher one was sealed.
    batch_id: Mapped[int | None]
    original: Mapped[bytes | None] = mapped_column(LargeBinary)  # encrypted, only if retained
    original_until: Mapped[datetime | None]
