"""Whether a report may count toward automatic escalation, and how much it may count.

Only an enrolled feedback-loop provider whose report carries a valid DKIM signature by one
of its enrolled domains, aligned with the report's From domain, counts; everything else
(form, API, other mail) goes to triage, and bounces only feed rates. DNS is reached
through the `lookup` callable the caller passes, so tests feed key records offline.
"""

from __future__ import annotations

import email.utils
import enum
from collections.abc import Callable
from dataclasses import dataclass, replace
from email.parser import BytesHeaderParser
from email.policy import compat32

import dkim
import tldextract
from pydantic import BaseModel, ConfigDict, Field, field_validator

from aupguard.reports.keys import domain_of
from aupguard.reports.model import Report, ReportAuth, ReportKind

TxtLookup = Callable[[str], bytes | None]  # "sel._domainkey.example.com" -> TXT data or None
MAIL_KINDS = {
    ReportKind.ARF,
    ReportKind.DMARC_FAILURE,
    ReportKind.XARF,
    ReportKind.DSN,
    ReportKind.COMPLAINT,
}
_MAX_SIGNATURES = 5  # each costs a DNS query and an RSA verify
# The public suffix list bundled with tldextract: never fetched at run time.
_PSL = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


class Provider(BaseModel):
    """An enrolled feedback-loop provider and the DKIM domains it signs its reports with."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(min_length=1, max_length=100)
    dkim_domains: list[str] = Field(min_length=1)
    max_counted_per_window: int | None = Field(default=None, ge=1)  # None: no reporter cap

    @field_validator("dkim_domains")
    @classmethod
    def _domains(cls, value: list[str]) -> list[str]:
        out = []
        for item in value:
            domain = domain_of(item)
            if domain is None:
                raise ValueError(f"{item!r} is not a domain name")
            out.append(domain)
        return out


class Enrollment(BaseModel):
    """The feedback loops we signed up for (configuration, not the ruleset)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    providers: list[Provider] = Field(default_factory=list)

    def provider_for(self, domain: str) -> Provider | None:
        domain = domain.lower().rstrip(".")
        for provider in self.providers:
            if any(domain == d or domain.endswith("." + d) for d in provider.dkim_domains):
                return provider
        return None


@dataclass(frozen=True, slots=True)
class DkimSignature:
    domain: str
    valid: bool
    error: str | None = None


class Route(enum.StrEnum):
    ESCALATION = "escalation"  # counts toward the clause's ladder (within the caps)
    TRIAGE = "triage"  # a person looks first
    RATES = "rates"  # bounces: complaint and bounce rates only


def verify_dkim(raw: bytes, lookup: TxtLookup) -> list[DkimSignature]:
    """Every DKIM signature of the report message (at most five), verified offline-capably."""

    def dnsfunc(name: bytes, timeout: int = 5) -> bytes | None:
        try:
            return lookup(name.decode("ascii").rstrip("."))
        except UnicodeDecodeError:
            return None

    headers = BytesHeaderParser(policy=compat32).parsebytes(raw[:1_000_000])
    count = min(len(headers.get_all("DKIM-Signature") or []), _MAX_SIGNATURES)
    results: list[DkimSignature] = []
    for idx in range(count):
        checker = dkim.DKIM(raw)
        try:
            valid = bool(checker.verify(idx=idx, dnsfunc=dnsfunc))
            error = None
        except dkim.DKIMException as exc:
            valid, error = False, str(exc)[:200]
        domain = checker.domain.decode("ascii", "replace") if checker.domain else ""
        results.append(DkimSignature(domain.lower(), valid, error))
    return results


def warm_up() -> None:
    """Load the public suffix list now (about half a second), not on the first report."""
    organisational("example.com")


def organisational(domain: str) -> str:
    parts = _PSL(domain)
    return parts.top_domain_under_public_suffix or domain


def authenticate(report: Report, raw: bytes, enrollment: Enrollment, lookup: TxtLookup) -> Report:
    """The report with `auth` set from its own DKIM signatures and the enrollment."""
    if report.kind not in MAIL_KINDS:
        return replace(report, auth=ReportAuth(dkim="none"))
    signatures = verify_dkim(raw, lookup)
    if not signatures:
        return replace(report, auth=ReportAuth(dkim="none"))
    headers = BytesHeaderParser(policy=compat32).parsebytes(raw[:1_000_000])
    from_domain = domain_of(email.utils.parseaddr(headers.get("From") or "")[1]) or ""
    valid = [s for s in signatures if s.valid]
    for sig in valid:
        provider = enrollment.provider_for(sig.domain)
        aligned = bool(from_domain) and organisational(sig.domain) == organisational(from_domain)
        if provider is not None:
            auth = ReportAuth("pass", sig.domain, aligned, provider.name)
            return replace(report, auth=auth)
    if valid:
        return replace(report, auth=ReportAuth("pass", valid[0].domain, False, None))
    return replace(report, auth=ReportAuth("fail", None, False, None))


def route(report: Report) -> Route:
    """Where a report goes: escalation only for aligned, enrolled, mapped reports."""
    if report.kind is ReportKind.DSN:
        return Route.RATES
    auth = report.auth
    if auth.provider and auth.aligned and auth.dkim == "pass" and report.clause is not None:
        return Route.ESCALATION
    return Route.TRIAGE
