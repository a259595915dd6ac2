"""Who a domain or host belongs to: the sending tenant, another tenant, a known brand."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from aupguard.detectors.context import Directory
from aupguard.detectors.knownbrands import brand_owning


def domain_of(address: str) -> str:
    """The domain of an address (or the value itself when it has no @), normalized."""
    return address.strip().strip("<>").rpartition("@")[2].strip().rstrip(".").lower()


def under(domain: str, suffixes: Iterable[str]) -> bool:
    """Whether `domain` is one of `suffixes` or a subdomain of one."""
    d = domain.lower().rstrip(".")
    return any(d == s or d.endswith("." + s) for s in suffixes)


def owned_by(directory: Directory, tenant: str, value: str, platform: Iterable[str] = ()) -> bool:
    """The address or domain is under one of the tenant's verified domains, or the platform's.

    Aliases and remailers are not ownership: they are reported as facts of their own and
    the ruleset's exceptions decide what they excuse.
    """
    domain = domain_of(value)
    return bool(domain) and (directory.owner_of_domain(domain) == tenant or under(domain, platform))


@dataclass(frozen=True, slots=True)
class ForeignOwner:
    kind: str  # "tenant" or "brand"
    name: str  # the other tenant's id, or the brand's name

    def __str__(self) -> str:
        return f"{self.kind} {self.name}"


def foreign_owner(
    directory: Directory | None, tenant: str | None, host: str, *, relays: bool = True
) -> ForeignOwner | None:
    """Another tenant or a known brand owning `host`; `relays=False` skips mail providers."""
    if directory is not None:
        owner = directory.owner_of_domain(host)
        if owner is not None:
            return None if owner == tenant else ForeignOwner("tenant", owner)
    brand = brand_owning(host)
    if brand is None or (brand.mail_provider and not relays):
        return None
    if directory is not None and tenant is not None:
        own = {b.casefold() for b in directory.brands_of(tenant)}
        if brand.brand.casefold() in own:
            return None
    return ForeignOwner("brand", brand.brand)
