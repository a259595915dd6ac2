"""Queueing a rendered notice to a tenant's e-mail and webhook, or to operators, once each."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from aupguard.notify.notices import RenderedNotice
from aupguard.notify.outbox import enqueue
from aupguard.store.models import OutboxMessage, Tenant

log = logging.getLogger(__name__)


def _bounded(key: str) -> str:
    """Keys fit the 200-character column; long ones keep a prefix and a digest of the rest."""
    if len(key) <= 200:
        return key
    return f"{key[:135]}:{hashlib.sha256(key.encode()).hexdigest()}"


def notify_tenant(
    session: Session,
    tenant: Tenant,
    notice: RenderedNotice,
    *,
    dedup_key: str,
    now: datetime | None = None,
) -> list[OutboxMessage]:
    """Queue `notice` to the tenant's contact e-mail and webhook (those it has), once.

    Call it in the transaction of the change that causes the notice. `dedup_key` names
    the cause (e.g. `action:42`); re-running with the same key queues nothing new.
    """
    targets = [("email", tenant.contact_email), ("webhook", tenant.webhook_url)]
    queued = []
    for channel, recipient in targets:
        if not recipient:
            continue
        msg = enqueue(
            session,
            dedup_key=f"{dedup_key}:{channel}",
            channel=channel,
            tenant_id=tenant.id,
            topic=notice.topic,
            recipient=recipient,
            subject=notice.subject,
            body=notice.body,
            payload=notice.payload,
            now=now,
        )
        if msg is not None:
            queued.append(msg)
    if not any(recipient for _, recipient in targets):
        log.warning("tenant %s has no contact e-mail or webhook: %s not sent", tenant.id, dedup_key)
    return queued


def notify_operators(
    session: Session,
    notice: RenderedNotice,
    *,
    dedup_key: str,
    emails: Sequence[str] = (),
    webhooks: Sequence[str] = (),
    now: datetime | None = None,
) -> list[OutboxMessage]:
    """Queue an operator alert to each address and webhook (signed with the operator secret)."""
    queued = []
    for channel, recipients in (("email", emails), ("webhook", webhooks)):
        for recipient in recipients:
            msg = enqueue(
                session,
                dedup_key=_bounded(f"{dedup_key}:{channel}:{recipient}"),
                channel=channel,
                tenant_id=None,
                topic=notice.topic,
                recipient=recipient,
                subject=notice.subject,
                body=notice.body,
                payload=notice.payload,
                now=now,
            )
            if msg is not None:
                queued.append(msg)
    return queued
