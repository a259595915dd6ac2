"""Durable consent: opt-out marks written through to the database, reloaded at start.

The detectors' state (memory or Redis) answers reads on the hot path; every `consent:`
mark or unmark is also written to the `consent` table in the decision's own process, so
an opt-out survives a restart of the embedded default and a flush of Redis.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import delete, select

from aupguard.signals import Observation
from aupguard.state.base import StateStore
from aupguard.store.db import Store
from aupguard.store.models import ConsentMark

PREFIX = "consent:"


class DurableConsent:
    """A StateStore that forwards everything to `inner` and keeps consent marks in SQL."""

    def __init__(self, inner: StateStore, store: Store) -> None:
        self.inner = inner
        self.store = store
        self._reload()

    def _reload(self) -> None:
        with self.store.read() as s:
            rows = list(s.execute(select(ConsentMark)).scalars())
        if rows:
            marks = [Observation("mark", r.key, r.value) for r in rows]
            self.inner.apply(
                f"consent-reload:{datetime.now(UTC).isoformat()}", marks, datetime.now(UTC)
            )

    def apply(self, event_id: str, observations: Sequence[Observation], now: datetime) -> bool:
        applied = self.inner.apply(event_id, observations, now)
        consent = [
            o for o in observations if o.kind in ("mark", "unmark") and o.key.startswith(PREFIX)
        ]
        if applied and consent:
            with self.store.write() as s:
                for o in consent:
                    if o.kind == "unmark":
                        s.execute(delete(ConsentMark).where(ConsentMark.key == o.key))
                        continue
                    row = s.get(ConsentMark, o.key)
                    if row is None:
                        s.add(ConsentMark(key=o.key, value=o.member[:100], updated_at=now))
                    else:
                        row.value, row.updated_at = o.member[:100], now
        return applied

    def count(self, key: str, window_s: int, now: datetime) -> float:
        return self.inner.count(key, window_s, now)

    def distinct(self, key: str, now: datetime) -> int:
        return self.inner.distinct(key, now)

    def seen(self, key: str, member: str, now: datetime) -> bool:
        return self.inner.seen(key, member, now)

    def members(self, key: str, now: datetime, limit: int = 50) -> list[tuple[str, float]]:
        return self.inner.members(key, now, limit)

    def marked(self, key: str) -> str | None:
        return self.inner.marked(key)
