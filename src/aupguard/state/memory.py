"""In-memory state: the embedded default. Bounded: old buckets, members and keys expire."""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from collections.abc import Sequence
from datetime import datetime

from aupguard.signals import Observation

BUCKET_S = 60


class MemoryState:
    """One process's state. Count and distinct keys are forgotten `ttl` after their last
    write, and at most `max_keys` of them are kept (the least recently written go first);
    marks are never evicted (consent is kept durably by the store)."""

    def __init__(
        self, max_members: int = 100_000, max_event_ids: int = 1_000_000, max_keys: int = 1_000_000
    ) -> None:
        self.max_members = max_members
        self.max_event_ids = max_event_ids
        self.max_keys = max_keys
        self._buckets: dict[str, dict[int, float]] = defaultdict(dict)
        self._ttl: dict[str, int] = {}
        self._members: dict[str, OrderedDict[str, float]] = defaultdict(OrderedDict)
        self._member_ttl: dict[str, int] = {}
        self._marks: dict[str, str] = {}
        self._applied: OrderedDict[str, None] = OrderedDict()
        self._written: OrderedDict[str, float] = OrderedDict()  # key -> expiry, by last write

    def apply(self, event_id: str, observations: Sequence[Observation], now: datetime) -> bool:
        if event_id in self._applied:
            return False
        self._applied[event_id] = None
        if len(self._applied) > self.max_event_ids:
            self._applied.popitem(last=False)
        ts = now.timestamp()
        for obs in observations:
            if obs.kind == "count":
                bucket = int(ts // BUCKET_S)
                slots = self._buckets[obs.key]
                slots[bucket] = slots.get(bucket, 0.0) + obs.amount
                self._ttl[obs.key] = max(self._ttl.get(obs.key, 0), obs.ttl_s)
                self._expire_buckets(obs.key, ts)
                self._touch("c:" + obs.key, ts + self._ttl[obs.key])
            elif obs.kind == "distinct":
                members = self._members[obs.key]
                members[obs.member] = ts
                members.move_to_end(obs.member)
                self._member_ttl[obs.key] = obs.ttl_s
                self._expire_members(obs.key, ts)
                while len(members) > self.max_members:
                    members.popitem(last=False)
                self._touch("d:" + obs.key, ts + obs.ttl_s)
            elif obs.kind == "mark":
                self._marks[obs.key] = obs.member
            elif obs.kind == "unmark":
                self._marks.pop(obs.key, None)
            else:
                raise ValueError(f"observation kind {obs.kind!r}: expected count, distinct, mark")
        self._sweep(ts)
        return True

    def apply_many(
        self, batch: Sequence[tuple[str, Sequence[Observation], datetime]]
    ) -> list[bool]:
        """Several events in order; each applied once (the Redis backend pipelines these)."""
        return [self.apply(event_id, obs, now) for event_id, obs, now in batch]

    def count(self, key: str, window_s: int, now: datetime) -> float:
        slots = self._buckets.get(key)
        if not slots:
            return 0.0
        first = int((now.timestamp() - window_s) // BUCKET_S) + 1
        return sum(v for b, v in slots.items() if b >= first)

    def distinct(self, key: str, now: datetime) -> int:
        if key not in self._members:
            return 0
        self._expire_members(key, now.timestamp())
        return len(self._members[key])

    def seen(self, key: str, member: str, now: datetime) -> bool:
        members = self._members.get(key)
        if not members or member not in members:
            return False
        return members[member] >= now.timestamp() - self._member_ttl.get(key, 86_400)

    def members(self, key: str, now: datetime, limit: int = 50) -> list[tuple[str, float]]:
        if key not in self._members:
            return []
        self._expire_members(key, now.timestamp())
        out: list[tuple[str, float]] = []
        for member, ts in self._members[key].items():
            if len(out) >= limit:
                break
            out.append((member, ts))
        return out

    def marked(self, key: str) -> str | None:
        return self._marks.get(key)

    @property
    def keys(self) -> int:
        """Count and distinct keys held now (marks excluded): the memory bound in tests."""
        return len(self._written)

    def _touch(self, tagged: str, expiry: float) -> None:
        self._written[tagged] = max(expiry, self._written.get(tagged, 0.0))
        self._written.move_to_end(tagged)

    def _sweep(self, ts: float) -> None:
        """Drop keys whose last write has expired (front first), then any over the bound."""
        written = self._written
        while written:
            tagged, expiry = next(iter(written.items()))
            if expiry >= ts and len(written) <= self.max_keys:
                break
            written.popitem(last=False)
            kind, key = tagged[:2], tagged[2:]
            if kind == "c:":
                self._buckets.pop(key, None)
                self._ttl.pop(key, None)
            else:
                self._members.pop(key, None)
                self._member_ttl.pop(key, None)

    def _expire_buckets(self, key: str, ts: float) -> None:
        oldest = int((ts - self._ttl[key]) // BUCKET_S)
        slots = self._buckets[key]
        if len(slots) > 2 and min(slots) < oldest:
            for b in [b for b in slots if b < oldest]:
                del slots[b]

    def _expire_members(self, key: str, ts: float) -> None:
        members = self._members[key]
        limit = ts - self._member_ttl.get(key, 86_400)
        while members:
            first = next(iter(members))
            if members[first] >= limit:
                break
            members.popitem(last=False)
