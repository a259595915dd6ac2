"""The state backends' one interface: windows, distinct sets and marks, applied once per event."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from aupguard.signals import Observation


class StateStore(Protocol):
    """Where observations are kept. Readers see windows ending at the time they ask for.

    Semantics shared by every backend (memory, Redis) and tested against both:
    - `count` windows: the sum of amounts observed for `key` within the last `ttl_s`
      seconds of the observation's own ttl (per-minute buckets, so a window is exact to
      a minute);
    - `distinct` sets: members seen for `key`, each forgotten `ttl_s` after it was last
      seen; bounded by `max_members` per key;
    - `seen` asks whether one member of a distinct set is still remembered at `now`;
      `members` lists up to `limit` remembered members, oldest last-seen first, with their
      last-seen Unix time (for evidence: which targets, over what span);
    - marks: `key -> member` until unmarked (consent, opt-outs), durable in Redis;
    - `apply` is idempotent per event id: a redelivered event changes nothing.
    """

    def apply(self, event_id: str, observations: Sequence[Observation], now: datetime) -> bool:
        """Apply once; False when this event id was already applied."""
        ...

    def count(self, key: str, window_s: int, now: datetime) -> float: ...
    def distinct(self, key: str, now: datetime) -> int: ...
    def seen(self, key: str, member: str, now: datetime) -> bool: ...
    def members(self, key: str, now: datetime, limit: int = 50) -> list[tuple[str, float]]: ...
    def marked(self, key: str) -> str | None: ...
