"""Stream tests on the real Redis (127.0.0.1:6379), each on a stream of its own."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import redis

from aupguard.stream.worker import WorkerConfig

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def stream_config() -> Iterator[WorkerConfig]:
    """A consumer config on a fresh stream; the stream and its keys are deleted afterwards."""
    from tests.servers import REDIS_HOST, REDIS_PORT, require

    require(REDIS_HOST, REDIS_PORT, "Redis")
    name = f"test:{uuid.uuid4().hex[:12]}:events"
    config = WorkerConfig(stream=name, dead=f"{name}:dead", consumer="c1", block_ms=50)
    yield config
    client = redis.Redis.from_url(REDIS_URL)
    client.delete(name, config.dead, config.errors)
