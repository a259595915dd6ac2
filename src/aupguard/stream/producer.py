"""Publishing events into the stream, with backpressure and retries across Redis restarts."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

import redis

from aupguard.events.model import Event
from aupguard.stream.codec import encode

STREAM = "aupguard:events"
DEAD = "aupguard:events:dead"
GROUP = "deciders"


def publish(
    client: redis.Redis,
    events: Iterable[Event],
    *,
    stream: str = STREAM,
    max_backlog: int = 200_000,
    batch: int = 500,
    on_batch: Any = None,
) -> int:
    """XADD every event; waits while the backlog (entries not yet acknowledged) is full."""
    sent = 0
    chunk: list[str] = []
    for event in events:
        chunk.append(encode(event))
        if len(chunk) >= batch:
            sent += _send(client, stream, chunk, max_backlog)
            chunk = []
            if on_batch:
                on_batch(sent)
    if chunk:
        sent += _send(client, stream, chunk, max_backlog)
        if on_batch:
            on_batch(sent)
    return sent


def _send(client: redis.Redis, stream: str, chunk: list[str], max_backlog: int) -> int:
    delay = 0.05
    while True:
        try:
            while int(client.xlen(stream)) > max_backlog:  # workers delete what they acked
                time.sleep(0.2)
            pipe = client.pipeline(transaction=False)
            for data in chunk:
                pipe.xadd(stream, {"event": data})
            pipe.execute()
            return len(chunk)
        except (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError):
            time.sleep(delay)  # Redis restarting: the same chunk again (ids make it idempotent)
            delay = min(2.0, delay * 2)
