"""Retention: drop send-log days past the retention and originals past their keep-until."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from aupguard.audit.chain import append as audit
from aupguard.store.models import SendLogRow, VerdictRecord


@dataclass(frozen=True, slots=True)
class Purged:
    send_log_rows: int
    originals: int


def purge(session: Session, now: datetime, send_log_days: int, actor: str) -> Purged:
    """Delete whole send-log days older than the retention; erase expired originals.

    Verdict records keep their digests and masked evidence, so the audit chain and the
    Merkle batches over verdicts still verify after a purge.
    """
    cutoff = (now - timedelta(days=send_log_days)).date()
    rows = _count(session.execute(delete(SendLogRow).where(SendLogRow.day < cutoff)))
    originals = _count(
        session.execute(
            update(VerdictRecord)
            .where(VerdictRecord.original.is_not(None), VerdictRecord.original_until < now)
            .values(original=None, original_until=None)
        )
    )
    audit(
        session,
        actor=actor,
        kind="retention.purge",
        subject=f"before:{cutoff.isoformat()}",
        data={"send_log_rows": rows, "originals": originals},
        time=now,
    )
    return Purged(rows, originals)


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
