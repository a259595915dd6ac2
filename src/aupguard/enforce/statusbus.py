"""Status-change notices over Redis pub/sub: gateways refresh at once, not at the next poll."""

from __future__ import annotations

from redis import Redis

from aupguard.enforce.status import current_version
from aupguard.store.db import Store

CHANNEL = "aupguard:status"


def publish_version(redis: Redis, version: int) -> int:
    """Announce that the status version is now `version`; call it after the commit.

    Returns how many gateways were listening. A lost notice costs nothing but speed: every
    gateway also polls the version at least every 500 ms.
    """
    return int(redis.publish(CHANNEL, str(version)))


def publish_current(store: Store, redis: Redis) -> int:
    """Read the committed status version and announce it (for callers that do not know it)."""
    with store.read() as s:
        version = current_version(s)
    publish_version(redis, version)
    return version
