"""What a detector may read besides the event: a state snapshot and the identity directory."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from aupguard.auth.resolver import Resolver
from aupguard.banks.model import BankHit


class StateReader(Protocol):
    """Read-only view of the detectors' windows and marks (aupguard.state backends)."""

    def count(self, key: str, window_s: int, now: datetime) -> float: ...
    def distinct(self, key: str, now: datetime) -> int: ...
    def seen(self, key: str, member: str, now: datetime) -> bool: ...
    def members(self, key: str, now: datetime, limit: int = 50) -> list[tuple[str, float]]: ...
    def marked(self, key: str) -> str | None: ...


class Directory(Protocol):
    """Read-only look-ups of who owns what: tenants' *verified* identities and brands.

    Implemented by `aupguard.enforce.identities.IdentitySnapshot`, an immutable in-memory
    index rebuilt from the store when identities change (no DNS, no SQL on the hot path).
    Domains match themselves and their subdomains; numbers are compared as E.164 digits.
    """

    def owner_of_domain(self, domain: str) -> str | None: ...
    def owner_of_ip(self, ip: str) -> str | None: ...
    def owner_of_number(self, number: str) -> str | None: ...
    def owner_of_sender_id(self, sender_id: str) -> str | None: ...
    def is_alias(self, tenant: str, domain_or_address: str) -> bool: ...
    def is_remailer(self, tenant: str, domain: str) -> bool: ...
    def ip_in_ranges(self, tenant: str, ip: str, workload: str | None = None) -> bool: ...
    def has_ip_ranges(self, tenant: str, workload: str | None = None) -> bool: ...
    def brands_of(self, tenant: str) -> frozenset[str]: ...
    def all_brands(self) -> dict[str, str]: ...  # brand name (casefolded) -> tenant
    def brands_in(self, text: str) -> tuple[tuple[str, str], ...]: ...  # (brand, tenant)
    def domains_of(self, tenant: str) -> frozenset[str]: ...


class HashBanks(Protocol):
    """Read-only look-ups in the hash banks (aupguard.banks.model.BankSnapshot)."""

    @property
    def has_pdq(self) -> bool: ...
    def __len__(self) -> int: ...
    def match_digest(self, algorithm: str, value: str) -> tuple[BankHit, ...]: ...
    def match_pdq(self, value: str, max_distance: int = ...) -> tuple[BankHit, ...]: ...


class EmptyState:
    """What a detector sees on a dry run with no state: nothing observed yet."""

    def count(self, key: str, window_s: int, now: datetime) -> float:
        return 0.0

    def distinct(self, key: str, now: datetime) -> int:
        return 0

    def seen(self, key: str, member: str, now: datetime) -> bool:
        return False

    def members(self, key: str, now: datetime, limit: int = 50) -> list[tuple[str, float]]:
        return []

    def marked(self, key: str) -> str | None:
        return None


@dataclass(frozen=True, slots=True)
class Context:
    state: StateReader = field(default_factory=EmptyState)
    directory: Directory | None = None  # None: no tenant data (plain scans)
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    # DNS for e-mail authentication (a CachingResolver in production); None: no DNS at all,
    # so authentication is skipped and only the DNS-free ownership checks run.
    resolver: Resolver | None = None
    # Hash banks (CSAM, terrorist content, infringing files); None: no banks loaded.
    banks: HashBanks | None = None
