"""Sending posture of domains: SPF, DKIM keys and DMARC records, and what is missing."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from aupguard.auth.dmarc import find_record
from aupguard.auth.resolver import Resolver, Txt
from aupguard.errors import DnsError, DnsTempError


@dataclass(frozen=True, slots=True)
class DomainPosture:
    """What one domain publishes; `missing` lists what a bulk sender needs and lacks."""

    domain: str
    spf: str | None  # the SPF record, when there is exactly one
    dkim: dict[str, str | None] = field(default_factory=dict)  # selector -> key record
    dmarc: str | None = None  # "p=reject at example.com"
    problems: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.missing


def _txt(resolver: Resolver, name: str, deadline: float) -> list[str]:
    try:
        answer = resolver.query(name, "TXT", deadline)
    except DnsTempError:
        raise
    except DnsError:
        return []
    return [r.text for r in answer.records if isinstance(r, Txt)]


def check_domain(
    domain: str, selectors: Sequence[str], resolver: Resolver, timeout_s: float = 5.0
) -> DomainPosture:
    """SPF at the domain, a DKIM key at each selector, DMARC at the domain or its org domain."""
    deadline = time.monotonic() + timeout_s
    problems: list[str] = []
    missing: list[str] = []
    try:
        spf_records = [
            t for t in _txt(resolver, domain, deadline) if t.lower().startswith("v=spf1")
        ]
        keys = {s: _key(resolver, f"{s}._domainkey.{domain}", deadline) for s in selectors}
        record = find_record(domain, resolver, deadline)
    except DnsTempError as exc:
        return DomainPosture(
            domain, None, problems=(f"DNS did not answer: {exc}",), missing=("dns",)
        )
    spf = spf_records[0] if len(spf_records) == 1 else None
    if not spf_records:
        missing.append("spf")
    elif len(spf_records) > 1:
        problems.append(f"{len(spf_records)} SPF records (PERMERROR: publish exactly one)")
        missing.append("spf")
    elif spf is not None and spf.rstrip().endswith("+all"):
        problems.append("SPF ends with +all: it allows every host on the Internet")
    if not selectors:
        problems.append("no DKIM selector given: keys not checked")
    for selector, key in keys.items():
        if key is None:
            missing.append(f"dkim:{selector}")
        elif "p=;" in key.replace(" ", "") + ";" and "p=" in key:
            problems.append(f"DKIM key {selector} is revoked (empty p=)")
            missing.append(f"dkim:{selector}")
    dmarc = None
    if record is None:
        missing.append("dmarc")
    else:
        dmarc = f"p={record.policy} at {record.domain}"
        if record.policy == "none":
            problems.append("DMARC p=none: monitoring only, receivers apply no policy")
        if not record.rua:
            problems.append("DMARC has no rua=: no aggregate reports")
    return DomainPosture(domain, spf, keys, dmarc, tuple(problems), tuple(missing))


def _key(resolver: Resolver, name: str, deadline: float) -> str | None:
    texts = _txt(resolver, name, deadline)
    return next((t for t in texts if "p=" in t), None)


def check_domains(
    domains: Sequence[str], selectors: Sequence[str], resolver: Resolver, timeout_s: float = 5.0
) -> list[DomainPosture]:
    """The posture of each domain, in order (the periodic job runs this per tenant)."""
    return [
        check_domain(d.strip().rstrip(".").lower(), selectors, resolver, timeout_s) for d in domains
    ]
