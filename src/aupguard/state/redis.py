"""Redis state, shared by several workers: the same semantics as memory.py, applied atomically.

Layout under a key prefix (one per deployment, or per test):
  <prefix>c:<key>   hash   minute bucket -> amount           (count windows)
  <prefix>d:<key>   zset   member -> time it is forgotten    (distinct sets)
  <prefix>m:<key>   string member, no TTL                    (marks: consent, opt-outs)
  <prefix>e:<id>    string set once per event id, with a TTL (apply-once)
  <key>|v           integer bumped by every write of a count or distinct key (its version)
Each `apply` (and each `apply_many` or `commit`, for all its events) is one Lua script: the
event-id check and every write happen atomically, so two workers given the same event
apply it once and a crash never leaves half an event. Windows use the event time passed
in; key TTLs (a memory bound) run on the server clock. Run Redis with
`maxmemory-policy volatile-ttl` (or noeviction) so marks are never evicted.
Batches (`aupguard.batch`) read through `fetch_ahead` and write through `commit`: one
round trip each per batch (`state/prefetch.py`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import redis

from aupguard.signals import Observation
from aupguard.state.prefetch import Applied, Loaded, Prefetched, Wanted
from aupguard.state.redis_scripts import APPLY, FETCH

BUCKET_S = 60
_KINDS = ("count", "distinct", "mark", "unmark")
_TAG = {"count": "c:", "distinct": "d:", "mark": "m:", "unmark": "m:"}
MIRROR_KEYS = 200_000  # keys a worker's local copy holds before it starts afresh


class RedisState:
    """State in Redis; every method is safe to call from many processes at once."""

    def __init__(
        self,
        client: redis.Redis | None = None,
        *,
        url: str = "redis://127.0.0.1:6379/0",
        prefix: str = "aupguard:",
        max_members: int = 100_000,
        applied_ttl_s: int = 7 * 86_400,
    ) -> None:
        self.client: redis.Redis = client or redis.Redis.from_url(url)
        self.prefix = prefix
        self.max_members = max_members
        self.applied_ttl_s = applied_ttl_s
        self._apply = self.client.register_script(APPLY)
        self._fetch = self.client.register_script(FETCH)
        self._mirror: Prefetched | None = None

    def apply(self, event_id: str, observations: Sequence[Observation], now: datetime) -> bool:
        return self.apply_many([(event_id, observations, now)])[0]

    def apply_many(self, batch: Sequence[Applied]) -> list[bool]:
        """Several events in one script call; each applied once, all atomically."""
        return self._apply_events(batch)[0]

    def fetch_ahead(self, keys: Sequence[Wanted], event_ids: Sequence[str]) -> Prefetched:
        """This worker's copy of the store, with `keys` ((kind, key) pairs) checked and
        which of `event_ids` are applied, in one round trip (`state/prefetch.py`). One
        batch at a time per RedisState: give each thread or worker its own."""
        mirror = self._mirror
        if mirror is None or len(mirror.versions) > MIRROR_KEYS:
            mirror = self._mirror = Prefetched(self._fetch_keys, self.max_members)
        mirror.begin()
        flags, loaded = self._fetch_with_ids(mirror.wanted(keys), event_ids)
        mirror.applied_before(i for i, flag in zip(event_ids, flags, strict=True) if flag)
        mirror.install(loaded)
        return mirror

    def commit(self, batch: Prefetched) -> list[bool]:
        """Apply the events the batch applied locally, in one script call. A key's copy is
        kept only when the store's version moved by exactly this batch's writes."""
        pending, batch.pending = batch.pending, []
        if not pending:
            return []
        try:
            flags, versions = self._apply_events(pending)
        except Exception:
            self._mirror = None  # the store may hold part of nothing: start afresh
            raise
        writes: Counter[Wanted] = Counter()
        for (_, observations, _), flag in zip(pending, flags, strict=True):
            for obs in observations:
                if obs.kind in ("count", "distinct"):
                    writes[(obs.kind, obs.key)] += flag
        for (kind, key), count in writes.items():
            held = batch.versions.get((kind, key), "")
            now = versions.get(self.prefix + _TAG[kind] + key)
            if held and now is not None and int(held) + count == now:
                batch.versions[(kind, key)] = str(now)
            else:
                batch.forget(kind, key)
        return flags

    def _apply_events(self, batch: Sequence[Applied]) -> tuple[list[bool], dict[str, int]]:
        keys: list[str] = []
        args: list[str | int | float] = [self.applied_ttl_s, self.max_members, len(batch)]
        for event_id, observations, now in batch:
            self._script_args(event_id, observations, now, keys, args)
        reply: list[Any] = self._apply(keys=keys, args=args)  # type: ignore[assignment]
        flags, changed = reply
        versions = {_text(changed[i]): int(changed[i + 1]) for i in range(0, len(changed), 2)}
        return [bool(f) for f in flags], versions

    def _fetch_keys(self, wanted: Sequence[tuple[str, str, str]]) -> list[Loaded]:
        return self._fetch_with_ids(wanted, ())[1]

    def _fetch_with_ids(
        self, wanted: Sequence[tuple[str, str, str]], event_ids: Sequence[str]
    ) -> tuple[list[int], list[Loaded]]:
        names = [self.prefix + "e:" + i for i in event_ids]
        names += [self.prefix + _TAG[k] + key for k, key, _ in wanted]
        args: list[str | int] = [len(event_ids)]
        args += [f"{_TAG[k][0]}:{held}" for k, _, held in wanted]
        reply: list[Any] = self._fetch(keys=names, args=args)  # type: ignore[assignment]
        flags = [int(f) for f in reply[0]]
        return flags, [
            _loaded(k, key, raw) for (k, key, _), raw in zip(wanted, reply[1:], strict=True)
        ]

    def count(self, key: str, window_s: int, now: datetime) -> float:
        slots: dict[bytes, bytes] = self.client.hgetall(self.prefix + "c:" + key)  # type: ignore[assignment]
        if not slots:
            return 0.0
        first = int((now.timestamp() - window_s) // BUCKET_S) + 1
        return sum(float(v) for b, v in slots.items() if int(b) >= first)

    def distinct(self, key: str, now: datetime) -> int:
        return int(self.client.zcount(self.prefix + "d:" + key, now.timestamp(), "+inf"))  # type: ignore[arg-type]

    def seen(self, key: str, member: str, now: datetime) -> bool:
        score: Any = self.client.zscore(self.prefix + "d:" + key, member)
        return score is not None and float(score) >= now.timestamp()

    def members(self, key: str, now: datetime, limit: int = 50) -> list[tuple[str, float]]:
        """(member, last seen), oldest first: scores are deadlines, less the set's ttl."""
        full = self.prefix + "d:" + key
        pipe = self.client.pipeline(transaction=False)
        pipe.get(full + "|ttl")
        pipe.zrangebyscore(full, now.timestamp(), "+inf", start=0, num=limit, withscores=True)
        ttl_raw, rows = pipe.execute()
        ttl = float(ttl_raw) if ttl_raw is not None else 0.0
        return [(_text(m), round(float(sc) - ttl, 6)) for m, sc in rows]

    def marked(self, key: str) -> str | None:
        value: Any = self.client.get(self.prefix + "m:" + key)
        return value.decode("utf-8") if isinstance(value, bytes) else value

    def _script_args(
        self,
        event_id: str,
        observations: Sequence[Observation],
        now: datetime,
        keys: list[str],
        args: list[str | int | float],
    ) -> None:
        ts = now.timestamp()
        keys.append(self.prefix + "e:" + event_id)
        args.append(len(observations))
        for obs in observations:
            if obs.kind not in _KINDS:
                raise ValueError(f"observation kind {obs.kind!r}: expected one of {_KINDS}")
            keys.append(self.prefix + _TAG[obs.kind] + obs.key)
            args += [
                obs.kind,
                obs.member,
                repr(float(obs.amount)),
                obs.ttl_s,
                math.floor(ts / BUCKET_S),
                math.floor((ts - obs.ttl_s) / BUCKET_S),
                repr(ts + obs.ttl_s),
                repr(ts),
            ]


def _text(raw: bytes | str) -> str:
    return raw.decode("utf-8") if isinstance(raw, bytes) else raw


def _loaded(kind: str, key: str, raw: Any) -> Loaded:
    """One key of a FETCH reply as the memory backend holds it."""
    if kind == "mark":
        return Loaded(kind, key, mark=_text(raw[0]) if raw[0] else None)
    version = _text(raw[0])
    if len(raw) == 1:
        return Loaded(kind, key, version, whole=False)
    if kind == "distinct":
        rows, ttl_raw = raw[1], raw[2]
        ttl = int(ttl_raw) if ttl_raw else 0
        # Scores are deadlines (last seen + ttl); rounded back to the microsecond of the
        # event time, so evidence spans read the same as on the memory backend.
        members = [
            (_text(rows[i]), round(float(rows[i + 1]) - ttl, 6)) for i in range(0, len(rows), 2)
        ]
        return Loaded(kind, key, version, members=members, ttl_s=ttl)
    fields = raw[1]
    buckets = {int(fields[i]): float(fields[i + 1]) for i in range(0, len(fields), 2)}
    return Loaded(kind, key, version, buckets=buckets)
