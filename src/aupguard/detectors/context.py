"""What a detector may read besides the event: a state snapshot and the identity directory."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol


class StateReader(Protocol):
    """Read-only view of the detectors' windows and marks (aupguard.state backends)."""

    def count(self, key: str, window_s: int, now: datetime) -> float: ...
    def distinct(self, key: str, now: datetime) -> int: ...
    def marked(self, key: str) -> str | None: ...


class Directory(Protocol):
    """Read-only look-ups of who owns what (tenants' verified identities, brands)."""

    def owner_of_domain(self, domain: str) -> str | None: ...
    def owner_of_ip(self, ip: str) -> str | None: ...
    def owner_of_number(self, number: str) -> str | None: ...
    def brands_of(self, tenant: str) -> frozenset[str]: ...


class EmptyState:
    """What a detector sees on a dry run with no state: nothing observed yet."""

    def count(self, key: str, window_s: int, now: datetime) -> float:
        return 0.0

    def distinct(self, key: str, now: datetime) -> int:
        return 0

    def marked(self, key: str) -> str | None:
        return None


@dataclass(frozen=True, slots=True)
class Context:
    state: StateReader = field(default_factory=EmptyState)
    directory: Directory | None = None
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
