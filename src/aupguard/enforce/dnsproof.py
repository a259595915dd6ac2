"""Domain proof by DNS TXT token, through a resolver interface that tests can feed offline."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

TxtLookup = Callable[[str], list[str]]
RECORD_PREFIX = "aupguard-verification="


def expected_token(key: bytes, tenant: str, domain: str) -> str:
    mac = hmac.new(key, f"{tenant}\n{domain.lower()}".encode(), hashlib.sha256).hexdigest()
    return RECORD_PREFIX + mac[:32]


def dns_txt_lookup(timeout: float = 3.0) -> TxtLookup:
    """TXT records of a name through dnspython, with a deadline."""

    def lookup(name: str) -> list[str]:
        import dns.exception
        import dns.resolver

        resolver = dns.resolver.Resolver()
        resolver.lifetime = timeout
        try:
            answer = resolver.resolve(name, "TXT")
        except (
            dns.resolver.NXDOMAIN,
            dns.resolver.NoAnswer,
            dns.exception.Timeout,
            dns.resolver.NoNameservers,
        ):
            return []
        return [b"".join(r.strings).decode("utf-8", "replace") for r in answer]

    return lookup


def domain_proven(lookup: TxtLookup, key: bytes, tenant: str, domain: str) -> bool:
    """True when `_aupguard.<domain>` or the domain itself carries the tenant's token."""
    token = expected_token(key, tenant, domain)
    for name in (f"_aupguard.{domain}", domain):
        if any(txt.strip() == token for txt in lookup(name)):
            return True
    return False
