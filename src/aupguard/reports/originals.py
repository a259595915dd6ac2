"""The reported message inside a report: kept within limits, and mined for resolution keys."""

from __future__ import annotations

import ipaddress
import re

from aupguard.events.email import EmailView
from aupguard.events.limits import Limits
from aupguard.events.sources import email_event
from aupguard.reports.keys import (
    KeyCollector,
    addresses_in,
    clean_message_id,
    domain_of,
    parse_time,
    refang,
    tokens_in,
    valid_ip,
)
from aupguard.reports.model import IntakeContext, Original, SendingIp

# `from host (rdns [192.0.2.1])` or `from [192.0.2.1]`: the peer a receiver saw, then its date.
_RECEIVED_PEER = re.compile(r"\[(?:IPv6:)?([0-9A-Fa-f:.]{3,45})\]")
_DKIM_DOMAIN = re.compile(r"(?:^|;)\s{0,4}d\s{0,4}=\s{0,4}([A-Za-z0-9.-]{1,253})")
_SENDER_FIELDS = ("From", "Sender", "Return-Path", "Reply-To")


def keep_original(raw: bytes, ctx: IntakeContext, headers_only: bool = False) -> Original | None:
    if not raw.strip():
        return None
    cap = ctx.limits.max_original_bytes
    return Original(raw=raw[:cap], size=len(raw), headers_only=headers_only)


def original_view(raw: bytes, ctx: IntakeContext) -> EmailView:
    limits = Limits(
        max_bytes=ctx.limits.max_report_bytes,
        max_mime_depth=ctx.limits.max_mime_depth,
        max_parts=ctx.limits.max_parts,
        max_text_chars=ctx.limits.max_text_chars,
        max_urls=ctx.limits.max_keys,
    )
    return EmailView(email_event(raw, "report-original"), limits)


def collect_from_original(raw: bytes, keys: KeyCollector, ctx: IntakeContext) -> EmailView:
    """Message-ID, sender addresses and domains, Received peers, tokens, URLs, phones."""
    view = original_view(raw, ctx)
    keys.add("message_ids", [clean_message_id(view.header("Message-ID"))])
    for name in _SENDER_FIELDS:
        for value in view.header_all(name):
            found = addresses_in(value)
            keys.add("addresses", found)
            keys.add("domains", (domain_of(a) for a in found))
    for value in view.header_all("DKIM-Signature"):
        m = _DKIM_DOMAIN.search(" ".join(value.split()))
        if m:
            keys.add("domains", [domain_of(m.group(1))])
    keys.add("sending_ips", received_peers(view.header_all("Received")))
    head = "\n".join(f"{k}: {v}" for k, v in view.headers)
    keys.add("feedback_tokens", tokens_in(head))
    for part in view.text_parts:
        keys.text(part.text[: ctx.limits.max_text_chars], ctx.phone_region, ips=False)
    keys.add("urls", (refang(u.url) for u in view.urls))
    return view


def received_peers(values: list[str]) -> list[SendingIp]:
    """The connecting IP of each Received field (its `from` clause) with the field's date."""
    out: list[SendingIp] = []
    for value in values:
        flat = " ".join(value.split())
        head, _, date = flat.rpartition(";")
        from_clause = head.split(" by ", 1)[0] if head.lower().startswith("from ") else ""
        for m in _RECEIVED_PEER.finditer(from_clause):
            ip = valid_ip(m.group(1))
            if ip and not _local(ip):
                out.append(SendingIp(ip, parse_time(date)))
                break
    return out


def _local(ip: str) -> bool:
    """Loopback and link-local peers are hops inside one host, never the sender."""
    addr = ipaddress.ip_address(ip)
    return addr.is_loopback or addr.is_link_local or addr.is_unspecified
