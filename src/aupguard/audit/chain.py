"""Appending to the hash chain inside the caller's transaction (ids and digests only)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from aupguard.store.models import AuditEntry

GENESIS = "0" * 64
LOCK_KEY = 0x61757067  # pg advisory lock id for the chain head ("aupg")


def entry_hash(
    prev_hash: str,
    seq: int,
    time: datetime,
    actor: str,
    kind: str,
    subject: str,
    data: dict[str, Any],
) -> str:
    """sha256 over the previous hash and the canonical JSON of the entry's fields."""
    body = json.dumps(
        [seq, time.astimezone(UTC).isoformat(), actor, kind, subject, data],
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


def append(
    session: Session,
    *,
    actor: str,
    kind: str,
    subject: str,
    data: dict[str, Any] | None = None,
    time: datetime | None = None,
) -> AuditEntry:
    """Add one entry after the current head, in the caller's transaction."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})
    head = session.execute(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).scalar()
    seq = head.seq + 1 if head else 1
    prev = head.hash if head else GENESIS
    when = (time or datetime.now(UTC)).replace(microsecond=0)
    payload = data or {}
    entry = AuditEntry(
        seq=seq,
        time=when,
        actor=actor,
        kind=kind,
        subject=subject,
        data=payload,
        prev_hash=prev,
        hash=entry_hash(prev, seq, when, actor, kind, subject, payload),
    )
    session.add(entry)
    session.flush()
    return entry
