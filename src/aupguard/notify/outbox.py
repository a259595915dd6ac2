"""Enqueueing notices in the same transaction as the change that causes them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from aupguard.store.models import OutboxMessage


def enqueue(
    session: Session,
    *,
    dedup_key: str,
    channel: str,
    tenant_id: str | None,
    topic: str,
    recipient: str,
    subject: str,
    body: str,
    payload: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> OutboxMessage | None:
    """Queue a notice once per `dedup_key`; returns None when it was queued before."""
    exists = session.execute(select(OutboxMessage.id).where(OutboxMessage.dedup_key == dedup_key))
    if exists.first() is not None:
        return None
    when = now or datetime.now(UTC)
    msg = OutboxMessage(
        dedup_key=dedup_key,
        channel=channel,
        tenant_id=tenant_id,
        topic=topic,
        recipient=recipient,
        subject=subject[:300],
        body=body,
        payload=payload or {},
        state="pending",
        attempts=0,
        next_attempt_at=when,
        created_at=when,
    )
    session.add(msg)
    session.flush()
    return msg
