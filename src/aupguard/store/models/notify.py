"""The transactional outbox: notices written with the change that causes them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from aupguard.store.models.base import Base


class OutboxMessage(Base):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "state", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    dedup_key: Mapped[str] = mapped_column(String(200), unique=True)  # a notice is sent once
    channel: Mapped[str] = mapped_column(String(10))  # email, webhook
    tenant_id: Mapped[str | None] = mapped_column(String(64))
    topic: Mapped[str] = mapped_column(String(40))  # violation, action, appeal, aup-change, alert
    recipient: Mapped[str] = mapped_column(String(2000))  # address or URL
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(String(20000))
    payload: Mapped[dict[str, Any]]
    state: Mapped[str] = mapped_column(String(10))  # pending, sent, dead
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
