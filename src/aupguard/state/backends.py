"""Open a state backend by URL: memory:// (embedded default) or redis://host:port/db."""

from __future__ import annotations

from aupguard.errors import ConfigError
from aupguard.state.base import StateStore
from aupguard.state.memory import MemoryState


def open_state(url: str, prefix: str = "aupguard:") -> StateStore:
    """The backend at `url`; on Redis every key sits under `prefix` (one per deployment)."""
    if url in ("", "memory://", "memory"):
        return MemoryState()
    if url.startswith(("redis://", "rediss://", "unix://")):
        import redis

        from aupguard.state.redis import RedisState

        backend: StateStore = RedisState(redis.Redis.from_url(url), prefix=prefix)
        return backend
    raise ConfigError(f"state URL {url!r}: expected memory:// or redis://host:port/db")
