"""Token buckets for throttled tenants, identities and campaigns: in memory, or shared in Redis."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from redis import Redis
from redis.exceptions import RedisError


@dataclass(frozen=True, slots=True)
class BucketSpec:
    """`rate` tokens per second refill a bucket of `burst` tokens; one message costs one."""

    rate: float = 1.0
    burst: float = 5.0

    def __post_init__(self) -> None:
        if self.rate <= 0 or self.burst < 1:
            raise ValueError("throttle needs rate > 0 per second and burst >= 1")


class Buckets(Protocol):
    def take(self, key: str, cost: float = 1.0) -> bool:
        """Take `cost` tokens from the bucket `key`; False when it has too few (defer)."""
        ...


class MemoryBuckets:
    """One process's buckets; the least recently used are forgotten past `max_keys`."""

    def __init__(
        self, spec: BucketSpec, clock: Callable[[], float] = time.monotonic, max_keys: int = 100_000
    ) -> None:
        self.spec = spec
        self.clock = clock
        self.max_keys = max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str, cost: float = 1.0) -> bool:
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.pop(key, (self.spec.burst, now))
            tokens = min(self.spec.burst, tokens + max(0.0, now - last) * self.spec.rate)
            allowed = tokens >= cost
            if allowed:
                tokens -= cost
            self._buckets[key] = (tokens, now)
            if len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
            return allowed


# Refill and take in one atomic step on the server, on the server's clock, so that several
# gateways share one bucket without races or clock skew between them.
_TAKE = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(b[1]) or burst
local ts = tonumber(b[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
local ok = 0
if tokens >= cost then
  tokens = tokens - cost
  ok = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return ok
"""


class RedisBuckets:
    """Buckets shared by every gateway on one Redis; falls back to memory when Redis fails."""

    def __init__(
        self,
        redis: Redis,
        spec: BucketSpec,
        prefix: str = "aupguard:throttle:",
        on_error: Callable[[Exception], None] | None = None,
        retry_after_s: float = 5.0,
    ) -> None:
        self.redis = redis
        self.retry_after_s = retry_after_s
        self._down_until = 0.0
        self.spec = spec
        self.prefix = prefix
        self.fallback = MemoryBuckets(spec)
        self.on_error = on_error
        self._script = redis.register_script(_TAKE)

    def take(self, key: str, cost: float = 1.0) -> bool:
        if time.monotonic() < self._down_until:
            return self.fallback.take(key, cost)
        try:
            result = self._script(
                keys=[self.prefix + key], args=[self.spec.rate, self.spec.burst, cost]
            )
        except RedisError as exc:
            # Each gateway then throttles alone for a while: looser than shared, never open.
            self._down_until = time.monotonic() + self.retry_after_s
            if self.on_error is not None:
                self.on_error(exc)
            return self.fallback.take(key, cost)
        return bool(int(result))
