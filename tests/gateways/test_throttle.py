"""Token buckets: refill and burst in memory; one bucket shared by two gateways through Redis."""

from __future__ import annotations

import uuid

import pytest
from redis import Redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from aupguard.gateways.throttle import BucketSpec, MemoryBuckets, RedisBuckets
from tests.servers import REDIS_HOST, REDIS_PORT, require


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_memory_bucket_burst_then_rate() -> None:
    clock = Clock()
    buckets = MemoryBuckets(BucketSpec(rate=2.0, burst=3), clock=clock)
    assert [buckets.take("t") for _ in range(4)] == [True, True, True, False]
    clock.now = 0.5  # one token back at 2 per second
    assert [buckets.take("t") for _ in range(2)] == [True, False]
    assert buckets.take("other")  # buckets are per key


def test_memory_buckets_forget_least_recent() -> None:
    buckets = MemoryBuckets(BucketSpec(rate=0.001, burst=1), max_keys=2)
    assert buckets.take("a") and buckets.take("b") and buckets.take("c")
    assert buckets.take("a")  # forgotten, so full again (bounded memory beats exactness)


def test_bad_spec_is_refused() -> None:
    with pytest.raises(ValueError, match="rate > 0"):
        BucketSpec(rate=0, burst=1)


@pytest.mark.redis
def test_two_gateways_share_one_redis_bucket() -> None:
    require(REDIS_HOST, REDIS_PORT, "Redis")
    redis = Redis(REDIS_HOST, REDIS_PORT)
    prefix = f"test:{uuid.uuid4().hex}:"
    spec = BucketSpec(rate=0.001, burst=5)
    one, two = RedisBuckets(redis, spec, prefix), RedisBuckets(redis, spec, prefix)
    taken = [(one if i % 2 else two).take("acme:7") for i in range(8)]
    assert taken == [True] * 5 + [False] * 3
    assert redis.pttl(prefix + "acme:7") > 0  # buckets expire once they would be full again
    redis.delete(prefix + "acme:7")


def test_redis_outage_falls_back_to_memory() -> None:
    errors: list[Exception] = []
    dead = Redis("127.0.0.1", 1, retry=Retry(NoBackoff(), 0))  # nothing listens on port 1
    buckets = RedisBuckets(dead, BucketSpec(rate=0.001, burst=1), on_error=errors.append)
    assert buckets.take("k") and not buckets.take("k")
    assert len(errors) == 1  # then memory only, until Redis is tried again
