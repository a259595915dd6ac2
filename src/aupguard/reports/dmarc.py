"""DMARC failure reports sent as plain text with no ARF part (Exim's forensic reports)."""

from __future__ import annotations

import re
from email.message import Message

from aupguard.errors import Rejection
from aupguard.reports import dedup, mime
from aupguard.reports.assemble import campaign_of, clause_for, digest_for, reporter_from, summary
from aupguard.reports.keys import KeyCollector, clean_message_id, domain_of, parse_time, valid_ip
from aupguard.reports.model import AuthFailure, IntakeContext, Report, ReportKind, SendingIp
from aupguard.reports.originals import collect_from_original, keep_original

MAPPING_KEY = "arf:auth-failure"  # the same clause as an RFC 6591 report
_LABEL = re.compile(r"(?im)^[ \t]{0,8}([A-Za-z][A-Za-z ]{2,30}):[ \t]{0,8}(\S[^\n]{0,300})$")
_HEADER_START = re.compile(
    r"(?im)^(?:Received|Return-Path|Authentication-Results|DKIM-Signature|From|Message-I[Dd]):"
)


def looks_like_plain_dmarc(msg: Message, text: str) -> bool:
    subject = (msg.get("Subject") or "").lower()
    lowered = text[:5000].lower()
    titled = "dmarc" in subject and ("forensic" in subject or "failure" in subject)
    return titled or "failed the published dmarc policy" in lowered


def parse_plain_dmarc(msg: Message, text: str, ctx: IntakeContext) -> Report:
    labels = {m.group(1).strip().lower(): m.group(2).strip() for m in _LABEL.finditer(text[:20000])}
    domain = domain_of(labels.get("sender domain"))
    ip_text = labels.get("sender ip address")
    if domain is None and ip_text is None:
        raise Rejection("body", "a DMARC failure report names neither Sender Domain nor Sender IP")
    ip = valid_ip(ip_text)
    if ip_text is not None and ip is None:
        raise Rejection("body.Sender IP Address", f"{ip_text[:60]!r} is not an IP address")
    arrival = parse_time(labels.get("received date"))
    keys = KeyCollector(ctx.limits.max_keys)
    if ip:
        keys.add("sending_ips", [SendingIp(ip, arrival)])
    keys.add("domains", [domain])
    start = _HEADER_START.search(text)
    view = None
    original = None
    if start:
        headers = text[start.start() :].encode("utf-8", "surrogateescape")
        view = collect_from_original(headers, keys, ctx)
        original = keep_original(headers, ctx, headers_only=True)
    reporter = reporter_from(msg.get("From"))
    clause = clause_for(ctx.mapping, MAPPING_KEY)
    built = keys.build()
    fallback = [f"{ip}@{arrival}", dedup.text_fingerprint(text[: start.start() if start else None])]
    return Report(
        kind=ReportKind.DMARC_FAILURE,
        received=ctx.received,
        reporter=reporter,
        mapping_key=MAPPING_KEY,
        clause=clause,
        keys=built,
        digest=digest_for(reporter, clause or MAPPING_KEY, built, fallback),
        campaign_key=campaign_of(view),
        source_ip=ctx.source_ip,
        incident_time=arrival,
        original=original,
        auth_failure=AuthFailure(
            methods=("dmarc",),
            reported_domain=domain,
            authentication_results=labels.get("dmarc results"),
        ),
        report_id=clean_message_id(msg.get("Message-ID")),
        summary=summary(text[: start.start()] if start else text, ctx.limits),
        notes=("plain-text DMARC failure report without an ARF part",),
    )


def first_text(msg: Message, ctx: IntakeContext) -> str:
    for _, part in mime.walk(msg, ctx.limits):
        if mime.content_type(part) == "text/plain":
            return mime.body_text(part)
    return ""
