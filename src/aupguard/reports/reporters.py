"""Reporters: who sends reports, what became of them (reputation), bulk voiding and muting."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aupguard.reports.caps import reporter_key
from aupguard.reports.model import Report, network_of
from aupguard.store.models import ReporterRow

# Which counter a report in each state adds to (triage adds to none but `reports`).
_COUNTER = {
    "resolved": "resolved",
    "voided": "voided",
    "duplicate": "duplicates",
    "rejected": "rejected",
}


def key_for(report: Report, filed_by: str | None) -> str:
    """An enrolled provider, else the API key that filed it, else the address or network."""
    key = reporter_key(report)
    if filed_by and not key.startswith("provider:"):
        return f"api:{filed_by}"
    return key


def key_for_source(source_ip: str | None, filed_by: str | None) -> str:
    """Who sent input that could not be parsed: the API key, else the source network."""
    if filed_by:
        return f"api:{filed_by}"
    network = network_of(source_ip)
    return f"network:{network}" if network else "anonymous"


def seen(session: Session, key: str, now: datetime) -> ReporterRow:
    """The reporter with this key (created on first sight), its report count raised."""
    key = key[:400]
    # Locked for the transaction: concurrent reports from one reporter count one by one.
    query = select(ReporterRow).where(ReporterRow.key == key).with_for_update()
    row = session.execute(query).scalar()
    if row is None:
        row = ReporterRow(key=key, first_seen=now, last_seen=now, reports=0)
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:  # another process saw it first
            found = session.execute(query).scalar()
            assert found is not None
            row = found
    row.reports += 1
    row.last_seen = max(row.last_seen, now)
    return row


def moved(session: Session, reporter_id: int | None, old: str | None, new: str) -> None:
    """Keep the reporter's counters in step with a report's change of state."""
    if reporter_id is None or old == new:
        return
    # SQL increments, not read-modify-write: two transactions never lose a count.
    changes: dict[str, Any] = {}
    if old in _COUNTER:
        changes[_COUNTER[old]] = getattr(ReporterRow, _COUNTER[old]) - 1
    if new in _COUNTER:
        changes[_COUNTER[new]] = getattr(ReporterRow, _COUNTER[new]) + 1
    if changes:
        session.execute(
            update(ReporterRow)
            .where(ReporterRow.id == reporter_id)
            .values(changes)
            .execution_options(synchronize_session="fetch")
        )
