"""Both state backends behind one fixture: in-memory and real Redis (own key prefix per test)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from aupguard.state.memory import MemoryState
from aupguard.state.redis import RedisState

REDIS_URL = "redis://127.0.0.1:6379/0"


def redis_state(prefix: str, **kwargs: int) -> RedisState:
    """A RedisState on the test server, or a skip saying why it is unreachable."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError as exc:
        pytest.skip(f"Redis at {REDIS_URL} unreachable ({exc}); scripts/test starts it")
    return RedisState(client, prefix=prefix, **kwargs)


def drop_prefix(state: RedisState) -> None:
    keys = list(state.client.scan_iter(match=state.prefix + "*", count=1000))
    for i in range(0, len(keys), 500):
        state.client.delete(*keys[i : i + 500])


@pytest.fixture
def redis_prefix() -> str:
    return f"test:{uuid.uuid4().hex[:12]}:"


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
def backend(
    request: pytest.FixtureRequest, redis_prefix: str
) -> Iterator[MemoryState | RedisState]:
    """Each semantic test runs against both backends, with the same small bounds."""
    if request.param == "memory":
        yield MemoryState(max_members=5, max_event_ids=1000, max_keys=1000)
        return
    state = redis_state(redis_prefix, max_members=5)
    try:
        yield state
    finally:
        drop_prefix(state)
