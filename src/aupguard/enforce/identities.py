"""Tenants' identities with proof, and the immutable snapshot detectors look them up in."""

from __future__ import annotations

import bisect
import enum
import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass

from aupguard.phrases import PhraseIndex


class IdentityKind(enum.StrEnum):
    DOMAIN = "domain"  # verified by a DNS TXT token
    ALIAS = "alias"  # a domain or address the tenant may send as (verified)
    REMAILER = "remailer"  # a disclosed anonymous remailer domain the tenant relays through
    NUMBER = "number"  # phone number, by registration record
    SENDER_ID = "sender_id"  # alphanumeric SMS sender ID or short code, by registration
    IP_RANGE = "ip_range"  # CIDR assigned to the tenant (or one workload)
    BRAND = "brand"  # a name the tenant trades under
    SMTP_USER = "smtp_user"  # SASL login the platform's MTA gave the tenant, by provisioning record


@dataclass(frozen=True, slots=True)
class Identity:
    tenant: str
    kind: IdentityKind
    value: str
    verified: bool = False
    workload: str | None = None


def normalize_number(number: str) -> str:
    """E.164 digits only ('+1 (555) 010-0001' -> '15550100001')."""
    return re.sub(r"\D", "", number)


def normalize_domain(domain: str) -> str:
    return domain.strip().strip(".").lower()


class IdentitySnapshot:
    """Who owns what, from verified identities only; every look-up is a dict or bisect."""

    def __init__(self, identities: Iterable[Identity], version: int = 0) -> None:
        self.version = version
        self._domains: dict[str, str] = {}
        self._aliases: dict[str, set[str]] = {}
        self._remailers: dict[str, set[str]] = {}
        self._numbers: dict[str, str] = {}
        self._sender_ids: dict[str, str] = {}
        self._brands: dict[str, str] = {}
        self._brands_of: dict[str, set[str]] = {}
        self._domains_of: dict[str, set[str]] = {}
        self._smtp_users: dict[str, str] = {}
        ranges: list[tuple[int, int, int, str, str | None]] = []
        for ident in identities:
            if not ident.verified:
                continue
            t, v = ident.tenant, ident.value
            match ident.kind:
                case IdentityKind.DOMAIN:
                    self._domains[normalize_domain(v)] = t
                    self._domains_of.setdefault(t, set()).add(normalize_domain(v))
                case IdentityKind.ALIAS:
                    self._aliases.setdefault(t, set()).add(v.strip().lower())
                case IdentityKind.REMAILER:
                    self._remailers.setdefault(t, set()).add(normalize_domain(v))
                case IdentityKind.NUMBER:
                    self._numbers[normalize_number(v)] = t
                case IdentityKind.SENDER_ID:
                    self._sender_ids[v.strip().casefold()] = t
                case IdentityKind.BRAND:
                    self._brands[v.strip().casefold()] = t
                    self._brands_of.setdefault(t, set()).add(v.strip())
                case IdentityKind.SMTP_USER:
                    self._smtp_users[v.strip().lower()] = t
                case IdentityKind.IP_RANGE:
                    net = ipaddress.ip_network(v, strict=False)
                    first, last = int(net.network_address), int(net.broadcast_address)
                    ranges.append((net.version, first, last, t, ident.workload))
        ranges.sort()
        self._ranges = ranges
        self._range_tenants = {(r[3], r[4]) for r in ranges}
        self._tenants_with_ranges = {r[3] for r in ranges}
        self._brand_index = PhraseIndex(
            (name, (name, tenant))
            for tenant, names in self._brands_of.items()
            for name in sorted(names)
        )
        self._starts = [(r[0], r[1]) for r in ranges]
        self._widest: dict[int, int] = {}
        for r in ranges:
            self._widest[r[0]] = max(self._widest.get(r[0], 0), r[2] - r[1])

    def _suffix_lookup(self, table: dict[str, str], domain: str) -> str | None:
        d = normalize_domain(domain)
        while d:
            if d in table:
                return table[d]
            _, _, d = d.partition(".")
        return None

    def owner_of_domain(self, domain: str) -> str | None:
        return self._suffix_lookup(self._domains, domain)

    def _range_hits(self, ip: str) -> list[tuple[int, int, int, str, str | None]]:
        try:
            addr = ipaddress.ip_address(ip)
        except ValueError:
            return []
        key = (addr.version, int(addr))
        reach = key[1] - self._widest.get(addr.version, 0)
        hits = []
        # Ranges start at or before the address; only those starting within the widest
        # range's span of it can contain it, so the walk back stops there (bisect, not scan).
        for j in range(bisect.bisect_right(self._starts, key) - 1, -1, -1):
            r = self._ranges[j]
            if r[0] != addr.version or r[1] < reach:
                break
            if key[1] <= r[2]:
                hits.append(r)
        return hits

    def owner_of_ip(self, ip: str) -> str | None:
        hits = self._range_hits(ip)
        return hits[0][3] if hits else None

    def ip_in_ranges(self, tenant: str, ip: str, workload: str | None = None) -> bool:
        return any(
            r[3] == tenant and (workload is None or r[4] in (None, workload))
            for r in self._range_hits(ip)
        )

    def has_ip_ranges(self, tenant: str, workload: str | None = None) -> bool:
        """Whether any range is assigned to the tenant (or to this workload of it)."""
        if workload is None:
            return tenant in self._tenants_with_ranges
        return (tenant, None) in self._range_tenants or (tenant, workload) in self._range_tenants

    def owner_of_number(self, number: str) -> str | None:
        return self._numbers.get(normalize_number(number))

    def owner_of_sender_id(self, sender_id: str) -> str | None:
        value = sender_id.strip()
        if (
            value
            and any(c.isdigit() for c in value)
            and all(c.isdigit() or c in "+-(). " for c in value)
        ):
            return self.owner_of_number(sender_id) or self._sender_ids.get(sender_id.strip())
        return self._sender_ids.get(sender_id.strip().casefold())

    def owner_of_smtp_user(self, login: str) -> str | None:
        """The tenant an authenticated SMTP (SASL) login belongs to; logins are case-blind."""
        return self._smtp_users.get(login.strip().lower())

    def is_alias(self, tenant: str, domain_or_address: str) -> bool:
        value = domain_or_address.strip().lower()
        aliases = self._aliases.get(tenant, set())
        return value in aliases or value.rpartition("@")[2] in aliases

    def is_remailer(self, tenant: str, domain: str) -> bool:
        d = normalize_domain(domain.rpartition("@")[2])
        return any(d == r or d.endswith("." + r) for r in self._remailers.get(tenant, ()))

    def brands_of(self, tenant: str) -> frozenset[str]:
        return frozenset(self._brands_of.get(tenant, ()))

    def brands_in(self, text: str) -> tuple[tuple[str, str], ...]:
        """Tenants' brands named in `text` as whole words: (brand as registered, tenant)."""
        return tuple(hit.value for hit in self._brand_index.find(text))

    def all_brands(self) -> dict[str, str]:
        return dict(self._brands)

    def domains_of(self, tenant: str) -> frozenset[str]:
        return frozenset(self._domains_of.get(tenant, ()))
