"""The copy of a report a tenant may see: no reporter name, address or IP, anywhere.

The original keeps only the header fields that identify the tenant's own message (From,
Subject, Message-ID, ...); recipient and relay fields (To, Cc, Received, Delivered-To,
...) are dropped. Its text is rebuilt from the decoded text parts, attachments dropped,
and every e-mail address outside the sender's own domains, every known personal string
and every IP address that is not a sending IP of the message is replaced.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from email.parser import BytesParser
from email.policy import compat32

from aupguard.events.email import EmailView
from aupguard.events.sources import email_event
from aupguard.reports.keys import ADDRESS_PATTERN, ips_in
from aupguard.reports.model import Original, Report, Reporter, ReportKeys

KEEP_FIELDS = (
    "From",
    "Sender",
    "Reply-To",
    "Return-Path",
    "Subject",
    "Date",
    "Message-ID",
    "List-Id",
    "Feedback-ID",
    "X-Aupguard-Feedback",
    "X-Mailer",
)
ADDRESS = "[redacted address]"
PERSONAL = "[redacted]"
IP = "[redacted ip]"


def redact_for_tenant(report: Report) -> Report:
    """The report as the tenant may receive it (never the reporter's identity)."""
    personal = _personal_strings(report)
    keep_domains = set(report.keys.domains)
    keep_ips = {s.ip for s in report.keys.sending_ips}

    def clean(text: str) -> str:
        return scrub(text, personal, keep_domains, keep_ips)

    keys = report.keys
    safe_keys = ReportKeys(
        feedback_tokens=keys.feedback_tokens,
        message_ids=keys.message_ids,
        sending_ips=keys.sending_ips,
        domains=keys.domains,
        urls=tuple(u for u in keys.urls if "@" not in u and "%40" not in u.lower()),
        phones=keys.phones,
        sender_ids=keys.sender_ids,
        addresses=tuple(a for a in keys.addresses if a.rpartition("@")[2] in keep_domains),
    )
    provider = report.auth.provider if report.auth.aligned else None
    return replace(
        report,
        reporter=Reporter(org=provider),
        source_ip=None,
        report_id=None,
        keys=safe_keys,
        summary=clean(report.summary),
        original=_original(report.original, clean) if report.original else None,
    )


def scrub(text: str, personal: set[str], keep_domains: set[str], keep_ips: set[str]) -> str:
    for value in sorted(personal, key=len, reverse=True):
        text = re.sub(re.escape(value), PERSONAL, text, flags=re.IGNORECASE)

    def address(m: re.Match[str]) -> str:
        return m.group(0) if m.group(1).lower() in keep_domains else ADDRESS

    text = ADDRESS_PATTERN.sub(address, text)
    for ip in set(ips_in(text)) - keep_ips:
        text = text.replace(ip, IP)
    return text


def _personal_strings(report: Report) -> set[str]:
    """Names, addresses and IPs of the reporter and of the reported message's recipients."""
    found = {report.reporter.address, report.reporter.name, report.source_ip}
    if report.original is not None:
        head = BytesParser(policy=compat32).parsebytes(report.original.raw, headersonly=True)
        for name in ("To", "Cc", "Delivered-To", "X-Original-To", "X-Apparently-To"):
            for value in head.get_all(name) or []:
                found.update(m.group(0) for m in ADDRESS_PATTERN.finditer(str(value)))
    found |= {s.replace("@", "%40") for s in found if s and "@" in s}  # inside URLs
    return {s for s in found if s and len(s) >= 3}


def _original(original: Original, clean: Callable[[str], str]) -> Original:
    view = EmailView(email_event(original.raw, "redact"))
    lines = []
    for name in KEEP_FIELDS:
        value = view.header(name)
        if value:
            lines.append(f"{name}: {clean(value)}")
    lines.append("Content-Type: text/plain; charset=utf-8")
    body = "\n\n".join(clean(p.text) for p in view.text_parts if p.part != "subject")
    if view.attachments:
        body += f"\n\n[{len(view.attachments)} attachment(s) removed]"
    raw = ("\n".join(lines) + "\n\n" + body + "\n").encode("utf-8")
    return Original(raw=raw, size=len(raw), headers_only=original.headers_only)
