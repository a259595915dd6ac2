"""The dispatcher: claim due notices, send them, mark sent after success, retry or dead-letter.

At-least-once: a notice is claimed with a lease (attempts + 1, next try after `lease_s`)
in a short transaction, sent outside any transaction, then marked. A dispatcher killed
mid-send leaves it pending; once the lease runs out it is sent again, with the same
Message-ID / webhook-id, so the receiver can recognise the duplicate.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from aupguard.errors import DeliveryError, NotFound, StoreError
from aupguard.notify.mail import send_email
from aupguard.notify.outgoing import Outgoing
from aupguard.notify.settings import NotifySettings
from aupguard.notify.webhook import send_webhook
from aupguard.store.db import Store
from aupguard.store.models import OutboxMessage, Tenant

log = logging.getLogger(__name__)
_jitter = random.SystemRandom()


@dataclass(frozen=True, slots=True)
class DispatchCounts:
    """What one `dispatch_once` did."""

    claimed: int = 0
    sent: int = 0
    retried: int = 0
    dead: int = 0


def backoff(attempt: int, settings: NotifySettings) -> timedelta:
    """Exponential with "equal jitter": half the delay fixed, half random (no herds)."""
    delay = min(settings.backoff_cap_s, settings.backoff_base_s * 2 ** (attempt - 1))
    return timedelta(seconds=delay / 2 + _jitter.uniform(0, delay / 2))


def _secret(session: Session, row: OutboxMessage, settings: NotifySettings) -> str | None:
    if row.channel != "webhook":
        return None
    if row.tenant_id is None:
        secret = settings.operator_webhook_secret
        return secret.get_secret_value() if secret else None
    tenant = session.get(Tenant, row.tenant_id)
    return tenant.webhook_secret if tenant else None


def claim(store: Store, settings: NotifySettings, now: datetime) -> tuple[list[Outgoing], int]:
    """Lease up to `batch_size` due notices; returns them and how many were dead-lettered."""
    claimed: list[Outgoing] = []
    dead = 0
    with store.write() as session:
        rows = session.execute(
            select(OutboxMessage)
            .where(OutboxMessage.state == "pending", OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(settings.batch_size)
            .with_for_update(skip_locked=True)  # PostgreSQL; SQLite's write lock serializes
        ).scalars()
        for row in rows:
            if row.attempts >= settings.max_attempts:
                # Every attempt was claimed and none reported back: the dispatcher died.
                row.state = "dead"
                row.last_error = (
                    f"no result from attempt {row.attempts} (dispatcher stopped mid-send?); "
                    f"before that: {row.last_error or 'no error'}"
                )[:1000]
                dead += 1
                continue
            row.attempts += 1
            row.next_attempt_at = now + timedelta(seconds=settings.lease_s)
            claimed.append(
                Outgoing(
                    id=row.id,
                    channel=row.channel,
                    tenant_id=row.tenant_id,
                    topic=row.topic,
                    recipient=row.recipient,
                    subject=row.subject,
                    body=row.body,
                    payload=dict(row.payload),
                    attempt=row.attempts,
                    created_at=row.created_at,
                    webhook_secret=_secret(session, row, settings),
                )
            )
    return claimed, dead


def deliver(msg: Outgoing, settings: NotifySettings, client: httpx.Client | None = None) -> None:
    """Send one notice by its channel; DeliveryError on failure."""
    if msg.channel == "email":
        send_email(msg, settings)
    elif msg.channel == "webhook":
        send_webhook(msg, settings, client=client)
    else:
        raise DeliveryError(f"unknown channel {msg.channel!r}", permanent=True)


def finish(
    store: Store,
    msg: Outgoing,
    error: DeliveryError | None,
    now: datetime,
    settings: NotifySettings,
) -> str:
    """Record the outcome: `sent`, `retried` or `dead` (or `gone` if someone requeued it)."""
    with store.write() as session:
        row = session.get(OutboxMessage, msg.id, with_for_update=True)
        if row is None or row.state != "pending":
            return "gone"  # sent by an overlapping attempt, or dead and requeued meanwhile
        if error is None:
            row.state, row.sent_at = "sent", now
            return "sent"
        if row.attempts != msg.attempt:
            return "gone"  # re-claimed after our lease ran out; the newer attempt reports
        row.last_error = f"attempt {msg.attempt}: {error}"[:1000]
        if error.permanent or msg.attempt >= settings.max_attempts:
            row.state = "dead"
            return "dead"
        row.next_attempt_at = now + backoff(msg.attempt, settings)
        return "retried"


def dispatch_once(
    store: Store, settings: NotifySettings, now: datetime | None = None
) -> DispatchCounts:
    """Claim the due notices and try each once; returns what happened."""
    start = now or datetime.now(UTC)
    began = time.monotonic()
    claimed, dead = claim(store, settings, start)
    outcomes = {"sent": 0, "retried": 0, "dead": dead, "gone": 0}
    # One connection pool and TLS context per pass, and none when no webhook is due.
    needs_http = any(msg.channel == "webhook" for msg in claimed)
    with httpx.Client() if needs_http else nullcontext() as client:
        for msg in claimed:
            error: DeliveryError | None = None
            try:
                deliver(msg, settings, client)
            except DeliveryError as exc:
                error = exc
                log.warning(
                    "notice %s to %s, attempt %s: %s", msg.id, msg.recipient, msg.attempt, exc
                )
            except Exception as exc:  # a bug or a malformed notice must not stop the others
                log.exception("notice %s, attempt %s: unexpected error", msg.id, msg.attempt)
                error = DeliveryError(f"unexpected {type(exc).__name__}: {exc}")
            # Retry delays count from when the attempt ended, not from when the batch began.
            ended = start + timedelta(seconds=time.monotonic() - began)
            outcomes[finish(store, msg, error, ended, settings)] += 1
    return DispatchCounts(len(claimed), outcomes["sent"], outcomes["retried"], outcomes["dead"])


def run(
    store: Store,
    settings: NotifySettings,
    *,
    idle_s: float = 5.0,
    stop: threading.Event | None = None,
    report: Callable[[DispatchCounts], None] | None = None,
) -> None:
    """Dispatch until `stop` is set; sleep `idle_s` when nothing was due."""
    stop = stop or threading.Event()
    while not stop.is_set():
        counts = dispatch_once(store, settings)
        if counts.claimed and report:
            report(counts)
        if not counts.claimed:
            stop.wait(idle_s)


def dead_letters(session: Session, limit: int = 100) -> list[OutboxMessage]:
    """Dead-lettered notices, newest first."""
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.state == "dead")
        .order_by(OutboxMessage.id.desc())
        .limit(limit)
    )
    return list(session.execute(query).scalars())


def requeue(session: Session, outbox_id: int, now: datetime | None = None) -> OutboxMessage:
    """Give a dead notice a fresh set of attempts, due now; its last error is kept."""
    row = session.get(OutboxMessage, outbox_id, with_for_update=True)
    if row is None:
        raise NotFound(f"no notice {outbox_id} in the outbox")
    if row.state != "dead":
        raise StoreError(f"notice {outbox_id} is {row.state}, not dead; only dead ones are retried")
    row.state, row.attempts = "pending", 0
    row.next_attempt_at = now or datetime.now(UTC)
    return row
