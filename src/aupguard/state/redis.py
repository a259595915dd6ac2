"""Redis state, shared by several workers: the same semantics as memory.py, applied atomically.

Layout under a key prefix (one per deployment, or per test):
  <prefix>c:<key>   hash   minute bucket -> amount           (count windows)
  <prefix>d:<key>   zset   member -> time it is forgotten    (distinct sets)
  <prefix>m:<key>   string member, no TTL                    (marks: consent, opt-outs)
  <prefix>e:<id>    string set once per event id, with a TTL (apply-once)
Each `apply` is one Lua script: the event-id check and every write happen atomically, so
two workers given the same event apply it once and a crash never leaves half an event.
Windows use the event time passed in; key TTLs (a memory bound) run on the server clock.
Run Redis with `maxmemory-policy volatile-ttl` (or noeviction) so marks are never evicted.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import redis

from aupguard.signals import Observation

BUCKET_S = 60
_KINDS = ("count", "distinct", "mark", "unmark")

# KEYS[1]: the event-id key; KEYS[i+1]: the key of observation i.
# ARGV: event-id TTL, max members, then per observation: kind, member, amount, ttl, bucket,
# oldest bucket kept, deadline (event time + ttl) and event time, numbers as exact strings.
_APPLY = """
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 0 end
local maxm = tonumber(ARGV[2])
local a = 3
for k = 2, #KEYS do
  local key, kind = KEYS[k], ARGV[a]
  local member, amount, ttl = ARGV[a + 1], ARGV[a + 2], tonumber(ARGV[a + 3])
  local bucket, oldest = ARGV[a + 4], tonumber(ARGV[a + 5])
  local deadline, now = ARGV[a + 6], ARGV[a + 7]
  a = a + 8
  if kind == 'count' then
    redis.call('HINCRBYFLOAT', key, bucket, amount)
    if redis.call('HLEN', key) > 2 then
      for _, f in ipairs(redis.call('HKEYS', key)) do
        if tonumber(f) < oldest then redis.call('HDEL', key, f) end
      end
    end
    if redis.call('TTL', key) < ttl + 60 then redis.call('EXPIRE', key, ttl + 60) end
  elseif kind == 'distinct' then
    redis.call('ZADD', key, 'GT', deadline, member)
    redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. now)
    local n = redis.call('ZCARD', key)
    if n > maxm then redis.call('ZREMRANGEBYRANK', key, 0, n - maxm - 1) end
    if redis.call('TTL', key) < ttl + 60 then redis.call('EXPIRE', key, ttl + 60) end
    redis.call('SET', key .. '|ttl', ttl, 'EX', ttl + 60)
  elseif kind == 'mark' then
    redis.call('SET', key, member)
  elseif kind == 'unmark' then
    redis.call('DEL', key)
  end
end
return 1
"""


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
        self._apply = self.client.register_script(_APPLY)

    def apply(self, event_id: str, observations: Sequence[Observation], now: datetime) -> bool:
        keys, args = self._script_args(event_id, observations, now)
        return bool(self._apply(keys=keys, args=args))

    def apply_many(
        self, batch: Sequence[tuple[str, Sequence[Observation], datetime]]
    ) -> list[bool]:
        """Several events in one round trip (pipelined); each still applied once, atomically."""
        pipe = self.client.pipeline(transaction=False)
        for event_id, observations, now in batch:
            keys, args = self._script_args(event_id, observations, now)
            self._apply(keys=keys, args=args, client=pipe)
        return [bool(r) for r in pipe.execute()]

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
        return [
            (m.decode("utf-8") if isinstance(m, bytes) else str(m), float(sc) - ttl)
            for m, sc in rows
        ]

    def marked(self, key: str) -> str | None:
        value: Any = self.client.get(self.prefix + "m:" + key)
        return value.decode("utf-8") if isinstance(value, bytes) else value

    def _script_args(
        self, event_id: str, observations: Sequence[Observation], now: datetime
    ) -> tuple[list[str], list[str | int | float]]:
        ts = now.timestamp()
        keys = [self.prefix + "e:" + event_id]
        args: list[str | int | float] = [self.applied_ttl_s, self.max_members]
        for obs in observations:
            if obs.kind not in _KINDS:
                raise ValueError(f"observation kind {obs.kind!r}: expected one of {_KINDS}")
            kind_prefix = {"count": "c:", "distinct": "d:"}.get(obs.kind, "m:")
            keys.append(self.prefix + kind_prefix + obs.key)
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
        return keys, args
