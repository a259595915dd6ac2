"""A worker's local copy of the shared store's keys, checked once per batch, flushed once.

`RedisState.fetch_ahead` asks, in one round trip, which of a batch's event ids are applied
and which of the keys the batch will read (the detectors' `reads` hints) changed since
this copy last held them: unchanged keys cost a version number, changed or new ones come
back whole. The batch is then judged against the copy with the memory backend's rules, so
each event sees the store as fetched plus the writes of the events before it in the batch
(read-your-writes); a key no hint named is fetched on its first read. `RedisState.commit`
applies the batch's events in one script call, each once, and keeps a key's copy only if
no one else wrote it meanwhile. Other workers' writes are seen by the next batch.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from aupguard.signals import Observation
from aupguard.state.memory import MemoryState

Applied = tuple[str, Sequence[Observation], datetime]
Wanted = tuple[str, str]  # (kind, key): kind count, distinct or mark


@dataclass(frozen=True, slots=True)
class Loaded:
    """One key as the store holds it. `version` is its write counter ('' when it has none);
    `whole` False means the copy held is current and nothing else came back. Otherwise: a
    distinct set's members with last-seen Unix time, oldest first, and its ttl; a count
    window's minute buckets; or a mark."""

    kind: str
    key: str
    version: str = ""
    whole: bool = True
    members: Sequence[tuple[str, float]] = ()
    ttl_s: int = 0
    buckets: dict[int, float] | None = None
    mark: str | None = None


Fetch = Callable[[Sequence[tuple[str, str, str]]], Iterable[Loaded]]


class Prefetched(MemoryState):
    """The local copy: memory-backend reads and writes on keys checked in this batch."""

    def __init__(self, fetch: Fetch, max_members: int) -> None:
        super().__init__(max_members=max_members)
        self._fetch = fetch
        self.versions: dict[Wanted, str] = {}  # version of the store's key this copy holds
        self._checked: set[Wanted] = set()  # compared with the store in this batch
        self.pending: list[Applied] = []  # applied here, to be applied to the store

    def begin(self) -> None:
        """A new batch: every key is checked against the store again."""
        self._checked.clear()
        self.pending = []

    def applied_before(self, event_ids: Iterable[str]) -> None:
        """Event ids the store has applied: never applied again here."""
        for event_id in event_ids:
            self._applied[event_id] = None

    def wanted(self, keys: Iterable[Wanted]) -> list[tuple[str, str, str]]:
        """(kind, key, version held) of the keys not checked in this batch yet."""
        return [
            (k, key, self.versions.get((k, key), ""))
            for k, key in dict.fromkeys(keys)
            if (k, key) not in self._checked
        ]

    def install(self, items: Iterable[Loaded]) -> None:
        """Take fetched keys; a key that came back whole replaces the copy held."""
        for item in items:
            self._checked.add((item.kind, item.key))
            if item.version:
                self.versions[(item.kind, item.key)] = item.version
            else:
                self.versions.pop((item.kind, item.key), None)
            if not item.whole:
                continue
            if item.kind == "distinct":
                self._members.pop(item.key, None)
                if item.members:
                    self._members[item.key] = OrderedDict(item.members)
                    self._member_ttl[item.key] = item.ttl_s
            elif item.kind == "count":
                self._buckets.pop(item.key, None)
                if item.buckets:
                    self._buckets[item.key] = item.buckets
            elif item.mark is not None:
                self._marks[item.key] = item.mark
            else:
                self._marks.pop(item.key, None)

    def forget(self, kind: str, key: str) -> None:
        """The store's key changed in a way this copy did not see: fetch it whole next time."""
        self.versions.pop((kind, key), None)

    def _need(self, kind: str, key: str) -> None:
        if (kind, key) not in self._checked:
            self.install(self._fetch(self.wanted([(kind, key)])))

    def apply(self, event_id: str, observations: Sequence[Observation], now: datetime) -> bool:
        for obs in observations:  # the store's value first, so a later fetch clobbers nothing
            self._need("mark" if obs.kind in ("mark", "unmark") else obs.kind, obs.key)
        if not super().apply(event_id, observations, now):
            return False
        self.pending.append((event_id, observations, now))
        return True

    def count(self, key: str, window_s: int, now: datetime) -> float:
        self._need("count", key)
        return super().count(key, window_s, now)

    def distinct(self, key: str, now: datetime) -> int:
        self._need("distinct", key)
        return super().distinct(key, now)

    def seen(self, key: str, member: str, now: datetime) -> bool:
        if ("distinct", key) not in self._checked:
            self._need("distinct", key)
        return super().seen(key, member, now)

    def members(self, key: str, now: datetime, limit: int = 50) -> list[tuple[str, float]]:
        self._need("distinct", key)
        return super().members(key, now, limit)

    def marked(self, key: str) -> str | None:
        self._need("mark", key)
        return super().marked(key)
