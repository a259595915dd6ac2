"""Typed records of an abuse report: who sent it, what it is about, and how much it counts."""

from __future__ import annotations

import enum
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime


class ReportKind(enum.StrEnum):
    ARF = "arf"  # RFC 5965 feedback report (feedback loops)
    XARF = "xarf"  # X-ARF JSON (v4, or a legacy version converted to v4 terms)
    DMARC_FAILURE = "dmarc-failure"  # RFC 6591 auth-failure report or a plain-text forensic one
    DSN = "dsn"  # RFC 3464 delivery status notification (a bounce)
    COMPLAINT = "complaint"  # free text or HTML to the abuse mailbox
    FORM = "form"  # the public web form
    API = "api"  # the reports API


class BounceType(enum.StrEnum):
    HARD = "hard"  # 5.x.x: the address or the message is refused for good
    SOFT = "soft"  # 4.x.x: temporary (mailbox full, greylisting, delay)


@dataclass(frozen=True, slots=True)
class Reporter:
    """Who complains; never forwarded to a tenant (see redact.py)."""

    address: str | None = None
    name: str | None = None
    org: str | None = None
    domain: str | None = None
    user_agent: str | None = None  # the feedback loop's software (ARF User-Agent)


@dataclass(frozen=True, slots=True)
class SendingIp:
    """An IP that sent the reported message, and when, to find the sender in the send log."""

    ip: str
    at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ReportKeys:
    """What resolution looks up in the send log, strongest first."""

    feedback_tokens: tuple[str, ...] = ()
    message_ids: tuple[str, ...] = ()  # of the reported message, without angle brackets
    sending_ips: tuple[SendingIp, ...] = ()
    domains: tuple[str, ...] = ()  # sender-side domains: From, Return-Path, DKIM d=, reported
    urls: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()  # E.164
    sender_ids: tuple[str, ...] = ()  # alphanumeric SMS sender IDs
    addresses: tuple[str, ...] = ()  # sender addresses of the reported message

    def is_empty(self) -> bool:
        return not any(getattr(self, name) for name in self.__slots__)  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Bounce:
    """The per-recipient facts of a delivery status notification (RFC 3464)."""

    type: BounceType
    status: str  # e.g. 5.1.1
    action: str  # failed, delayed, delivered, relayed, expanded
    final_recipient: str | None = None
    original_recipient: str | None = None
    diagnostic: str | None = None
    remote_mta: str | None = None


@dataclass(frozen=True, slots=True)
class AuthFailure:
    """The RFC 6591 fields of an authentication failure (DMARC failure) report."""

    methods: tuple[str, ...] = ()  # Auth-Failure: dmarc, dkim, spf, adsp, bodyhash, revoked...
    reported_domain: str | None = None
    authentication_results: str | None = None
    delivery_result: str | None = None
    identity_alignment: str | None = None  # DMARC (RFC 7489 7.3): which identifiers aligned


@dataclass(frozen=True, slots=True)
class ReportAuth:
    """How far the report itself is authenticated; set by authenticate.py, never by a parser."""

    dkim: str = "unchecked"  # pass, fail, none, unchecked
    dkim_domain: str | None = None  # d= of the valid signature that counted
    aligned: bool = False  # d= aligns with an enrolled provider domain and the From domain
    provider: str | None = None  # the enrolled feedback-loop provider it came from


@dataclass(frozen=True, slots=True)
class Original:
    """The reported message as the report carried it, cut at the size limit."""

    raw: bytes
    size: int  # bytes before cutting
    headers_only: bool = False  # text/rfc822-headers, or an ARF that left the body out

    @property
    def truncated(self) -> bool:
        return self.size > len(self.raw)


@dataclass(frozen=True, slots=True)
class Report:
    """One abuse report, parsed and checked; what every intake channel hands to the sink."""

    kind: ReportKind
    received: datetime
    reporter: Reporter
    mapping_key: str | None  # e.g. "arf:abuse", "xarf:connection/port_scan" (docs/reports.md)
    clause: str | None  # from the ruleset's report_mapping; None goes to triage
    keys: ReportKeys
    digest: str  # same incident, same digest (dedup.py)
    campaign_key: str | None = None  # complaints about one campaign share it (dedup.py)
    source_ip: str | None = None  # the peer that delivered the report (SMTP client, HTTP client)
    incident_time: datetime | None = None
    original: Original | None = None
    auth: ReportAuth = field(default_factory=ReportAuth)
    bounce: Bounce | None = None
    auth_failure: AuthFailure | None = None
    report_id: str | None = None  # the reporter's own id (X-ARF report_id, outer Message-ID)
    summary: str = ""  # a short, PII-masked description for triage
    notes: tuple[str, ...] = ()  # tolerated oddities (a missing ARF Version field...)

    @property
    def source_network(self) -> str | None:
        return network_of(self.source_ip)


@dataclass(frozen=True, slots=True)
class ReportLimits:
    """Hard limits for untrusted reports; past them a report is rejected or cut, never hangs."""

    max_report_bytes: int = 10 * 1024 * 1024
    max_json_bytes: int = 1024 * 1024
    max_json_depth: int = 32
    max_mime_depth: int = 12
    max_parts: int = 200
    max_original_bytes: int = 256 * 1024  # of the reported message kept on the record
    max_keys: int = 50  # per kind of key
    max_text_chars: int = 200_000  # of complaint text scanned for keys
    max_summary_chars: int = 500


@dataclass(frozen=True, slots=True)
class IntakeContext:
    """What every parser needs besides the bytes: when, from where, and the ruleset mapping."""

    received: datetime = field(default_factory=lambda: datetime.now(UTC))
    mapping: Mapping[str, str] = field(default_factory=dict)
    source_ip: str | None = None
    limits: ReportLimits = field(default_factory=ReportLimits)
    phone_region: str | None = None  # default region for national phone numbers; None: +E.164 only
    clauses: frozenset[str] = frozenset()  # AUP clause ids the form may name


def network_of(ip: str | None) -> str | None:
    """The /24 (IPv4) or /48 (IPv6) a source address belongs to, for per-network caps."""
    if not ip:
        return None
    try:
        addr = ipaddress.ip_address(ip.strip().strip("[]"))
    except ValueError:
        return None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    prefix = 24 if addr.version == 4 else 48
    return str(ipaddress.ip_network(f"{addr}/{prefix}", strict=False))
