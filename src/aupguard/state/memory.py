"""In-memory state: the embedded default. Bounded: old buckets and members expire."""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from collections.abc import Sequence
from datetime import datetime

from aupguard.signals import Observation

BUCKET_S = 60


class MemoryState:
    def __init__(self, max_members: int = 100_000, max_event_ids: int = 1_000_000) -> None:
        self.max_members = max_members
        self.max_event_ids = max_event_ids
        self._buckets: dict[str, dict[int, float]] = defaultdict(dict)
        self._ttl: dict[str, int] = {}
        self._members: dict[str, OrderedDict[str, float]] = defaultdict(OrderedDict)
        self._member_ttl: dict[str, int] = {}
        self._marks: dict[str, str] = {}
        self._applied: OrderedDict[str, None] = OrderedDict()

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
            elif obs.kind == "distinct":
                members = self._members[obs.key]
                members[obs.member] = ts
                members.move_to_end(obs.member)
                self._member_ttl[obs.key] = obs.ttl_s
                self._expire_members(obs.key, ts)
                while len(members) > self.max_members:
                    members.popitem(last=False)
            elif obs.kind == "mark":
                self._marks[obs.key] = obs.member
            elif obs.kind == "unmark":
                self._marks.pop(obs.key, None)
        return True

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
