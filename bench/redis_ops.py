"""Record the state operations detectors make, then replay them on Redis in pipelines.

A stand-in until the Redis backend lands on this branch: it maps each operation of the
StateStore semantics to the Redis commands a backend would plausibly use, so the cost of
the operation mix can be measured. It is not a backend (no read-your-writes in a batch).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import redis

from aupguard.signals import Observation
from aupguard.state.memory import BUCKET_S, MemoryState

# Sum of the per-minute buckets of a hash that fall inside the window: one round trip.
_COUNT = """
local total = 0
local vals = redis.call('HGETALL', KEYS[1])
for i = 1, #vals, 2 do
  if tonumber(vals[i]) >= tonumber(ARGV[1]) then total = total + tonumber(vals[i + 1]) end
end
return tostring(total)
"""


@dataclass(frozen=True, slots=True)
class Op:
    kind: str  # count, distinct, seen, members, marked, apply
    key: str
    member: str = ""
    number: float = 0.0  # window, limit, or time
    observations: tuple[Observation, ...] = ()


class RecordingState(MemoryState):
    """A memory state that also notes every read and apply, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.ops: list[Op] = []

    def count(self, key: str, window_s: int, now: datetime) -> float:
        self.ops.append(Op("count", key, number=now.timestamp() - window_s))
        return super().count(key, window_s, now)

    def distinct(self, key: str, now: datetime) -> int:
        self.ops.append(Op("distinct", key, number=now.timestamp() - 3600))
        return super().distinct(key, now)

    def seen(self, key: str, member: str, now: datetime) -> bool:
        self.ops.append(Op("seen", key, member))
        return super().seen(key, member, now)

    def members(self, key: str, now: datetime, limit: int = 50) -> list[tuple[str, float]]:
        self.ops.append(Op("members", key, number=limit))
        return super().members(key, now, limit)

    def apply(self, event_id: str, observations: Sequence[Observation], now: datetime) -> bool:
        self.ops.append(
            Op("apply", event_id, number=now.timestamp(), observations=tuple(observations))
        )
        return super().apply(event_id, observations, now)


# Which of a batch's event ids are new, marking them applied: one call for the batch.
_FRESH = """
local fresh = {}
for i, id in ipairs(ARGV) do
  if redis.call('SET', 'applied:' .. id, 1, 'NX', 'EX', 86400) then fresh[#fresh + 1] = i end
end
return fresh
"""


def replay_on_redis(ops: Sequence[Op], url: str, batch: int = 1000) -> tuple[float, float]:
    """(wall, client CPU) seconds to issue `ops` on Redis, `batch` events at a time.

    Reads: one ZMSCORE per set key for all `seen` members of the batch, one ZCOUNT per
    `distinct`, one script call per `count`, one ZRANGE per `members`. Writes: one script
    call that keeps the batch's new event ids (idempotency), one ZADD per set key with all
    its members, one HINCRBYFLOAT per count key and minute, one EXPIRE per key touched.
    """
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    client.flushdb()
    count_sum = client.register_script(_COUNT)
    fresh = client.register_script(_FRESH)
    started, cpu = time.perf_counter(), time.process_time()
    chunk: list[Op] = []
    events = 0
    for op in ops:
        chunk.append(op)
        if op.kind == "apply":
            events += 1
            if events % batch == 0:
                _flush(client, chunk, count_sum, fresh)
                chunk = []
    _flush(client, chunk, count_sum, fresh)
    elapsed = time.perf_counter() - started, time.process_time() - cpu
    client.flushdb()
    return elapsed


def _flush(client: redis.Redis, chunk: Sequence[Op], count_sum: object, fresh: object) -> None:
    reads = client.pipeline(transaction=False)
    seen: dict[str, list[str]] = {}
    for op in chunk:
        if op.kind == "count":
            count_sum(keys=[op.key], args=[int(op.number // BUCKET_S) + 1], client=reads)  # type: ignore[operator]
        elif op.kind == "distinct":
            reads.zcount(op.key, op.number, "+inf")
        elif op.kind == "seen":
            seen.setdefault(op.key, []).append(op.member)
        elif op.kind == "members":
            reads.zrange(op.key, 0, int(op.number) - 1, withscores=True)
    for key, members in seen.items():
        reads.zmscore(key, members)
    reads.execute()
    applies = [op for op in chunk if op.kind == "apply"]
    if not applies:
        return
    new = fresh(args=[op.key for op in applies])  # type: ignore[operator]
    sets: dict[str, dict[str, float]] = {}
    counts: dict[tuple[str, str], float] = {}
    ttl: dict[str, int] = {}
    for index in new:
        op = applies[int(index) - 1]
        for obs in op.observations:
            if obs.kind == "count":
                slot = (obs.key, str(int(op.number // BUCKET_S)))
                counts[slot] = counts.get(slot, 0.0) + obs.amount
            elif obs.kind == "distinct":
                sets.setdefault(obs.key, {})[obs.member] = op.number
            ttl[obs.key] = max(ttl.get(obs.key, 0), obs.ttl_s)
    writes = client.pipeline(transaction=False)
    for key, mapping in sets.items():
        writes.zadd(key, mapping)
    for (key, slot), amount in counts.items():
        writes.hincrbyfloat(key, slot, amount)
    for key, seconds in ttl.items():
        writes.expire(key, seconds)
    writes.execute()
