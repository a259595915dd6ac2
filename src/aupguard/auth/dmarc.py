"""DMARC (RFC 7489): policy discovery, identifier alignment and the policy to apply."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import tldextract

from aupguard.auth.dkim import DkimResult
from aupguard.auth.resolver import Resolver, Txt
from aupguard.auth.spf import SpfResult
from aupguard.errors import DnsError, DnsTempError

# The public suffix list snapshot bundled with tldextract: never fetched, never cached.
_EXTRACT = tldextract.TLDExtract(
    suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True
)
POLICIES = ("none", "quarantine", "reject")


@cache
def organizational_domain(domain: str) -> str:
    """The registrable domain (public suffix + 1 label), RFC 7489 section 3.2."""
    d = domain.strip().rstrip(".").lower()
    found = _EXTRACT(d)
    if found.top_domain_under_public_suffix:
        return str(found.top_domain_under_public_suffix)
    if found.suffix or found.ipv4 or found.ipv6:
        return d
    # A TLD the list does not know is a public suffix by the list's default rule ("*").
    return ".".join(d.split(".")[-2:])


def aligned(a: str, b: str, strict: bool) -> bool:
    a, b = a.strip().rstrip(".").lower(), b.strip().rstrip(".").lower()
    if not a or not b:
        return False
    return a == b if strict else organizational_domain(a) == organizational_domain(b)


@dataclass(frozen=True, slots=True)
class DmarcRecord:
    domain: str  # where the record was found (the From domain or its organizational domain)
    policy: str  # p=
    subdomain_policy: str | None = None  # sp=
    adkim_strict: bool = False
    aspf_strict: bool = False
    pct: int = 100
    rua: str = ""

    def policy_for(self, from_domain: str) -> str:
        if from_domain != self.domain and self.subdomain_policy:
            return self.subdomain_policy
        return self.policy


@dataclass(frozen=True, slots=True)
class DmarcResult:
    result: str  # pass, fail, none, temperror, permerror
    from_domain: str
    policy: str = "none"  # the policy that applies to this message: none, quarantine, reject
    record: DmarcRecord | None = None
    spf_aligned: bool = False
    dkim_aligned: bool = False
    reason: str = ""


def parse_record(text: str, domain: str) -> DmarcRecord | None:
    """A DMARC record, or None when it is not one (RFC 7489 section 6.6.3)."""
    tags: dict[str, str] = {}
    for i, chunk in enumerate(text.split(";")):
        key, sep, value = chunk.partition("=")
        key, value = key.strip().lower(), value.strip()
        if i == 0:
            if key != "v" or value != "DMARC1":
                return None
            continue
        if sep and key and key not in tags:
            tags[key] = value
    policy = tags.get("p", "").lower()
    if policy not in POLICIES:
        if "rua" not in tags:
            return None
        policy = "none"  # 6.6.3: an invalid or missing p= with a valid rua means none
    sub = tags.get("sp", "").lower()
    try:
        pct = max(0, min(100, int(tags.get("pct", "100"))))
    except ValueError:
        pct = 100
    return DmarcRecord(
        domain=domain,
        policy=policy,
        subdomain_policy=sub if sub in POLICIES else None,
        adkim_strict=tags.get("adkim", "r").lower() == "s",
        aspf_strict=tags.get("aspf", "r").lower() == "s",
        pct=pct,
        rua=tags.get("rua", ""),
    )


def _records_at(domain: str, resolver: Resolver, deadline: float | None) -> list[str]:
    try:
        answer = resolver.query(f"_dmarc.{domain}", "TXT", deadline)
    except DnsError as exc:
        if isinstance(exc, DnsTempError):
            raise
        return []
    texts = [r.text for r in answer.records if isinstance(r, Txt)]
    return [t for t in texts if t.strip().lower().startswith("v=dmarc1")]


def find_record(
    from_domain: str, resolver: Resolver, deadline: float | None = None
) -> DmarcRecord | None:
    """Policy discovery: the From domain first, then its organizational domain."""
    candidates = [from_domain]
    org = organizational_domain(from_domain)
    if org != from_domain:
        candidates.append(org)
    for domain in candidates:
        texts = _records_at(domain, resolver, deadline)
        if len(texts) == 1:
            return parse_record(texts[0], domain)
        if len(texts) > 1:
            return None  # several records: no DMARC policy at all (6.6.3)
    return None


def evaluate_dmarc(
    from_domain: str,
    spf: SpfResult | None,
    dkim: Sequence[DkimResult],
    resolver: Resolver,
    deadline: float | None = None,
) -> DmarcResult:
    """DMARC for a message whose RFC5322.From domain is `from_domain` (6.6.2)."""
    from_domain = from_domain.strip().rstrip(".").lower()
    if not from_domain or "." not in from_domain:
        return DmarcResult("permerror", from_domain, reason="no usable RFC5322.From domain")
    try:
        record = find_record(from_domain, resolver, deadline)
    except DnsTempError as exc:
        return DmarcResult("temperror", from_domain, reason=str(exc)[:200])
    spf_ok = bool(
        spf
        and spf.result == "pass"
        and aligned(spf.domain, from_domain, record.aspf_strict if record else False)
    )
    dkim_ok = any(
        d.result == "pass"
        and aligned(d.domain, from_domain, record.adkim_strict if record else False)
        for d in dkim
    )
    if record is None:
        return DmarcResult("none", from_domain, spf_aligned=spf_ok, dkim_aligned=dkim_ok)
    passed = spf_ok or dkim_ok
    return DmarcResult(
        "pass" if passed else "fail",
        from_domain,
        policy=record.policy_for(from_domain),
        record=record,
        spf_aligned=spf_ok,
        dkim_aligned=dkim_ok,
        reason="" if passed else "neither SPF nor DKIM passed aligned with the From domain",
    )
