"""ARF feedback reports (RFC 5965), incl. auth-failure (RFC 6591) and older drafts' fields."""

from __future__ import annotations

import re
from email.message import Message

from aupguard.errors import Rejection
from aupguard.events.email import EmailView
from aupguard.reports import dedup, mime
from aupguard.reports.assemble import campaign_of, clause_for, digest_for, reporter_from, summary
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
from aupguard.reports.model import (
    AuthFailure,
    IntakeContext,
    Original,
    Report,
    ReportKind,
    SendingIp,
)
from aupguard.reports.originals import collect_from_original, keep_original

_TYPE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
# Return Path's FBL writes `Abuse-Type: complaint` instead of Feedback-Type.
_ABUSE_TYPE_ALIASES = {"complaint": "abuse"}
ORIGINAL_TYPES = ("message/rfc822", "text/rfc822-headers", "message/rfc822-headers")


def is_arf(msg: Message, ctx: IntakeContext) -> bool:
    return any(
        mime.content_type(p) == "message/feedback-report" for _, p in mime.walk(msg, ctx.limits)
    )


def parse_arf(msg: Message, ctx: IntakeContext) -> Report:
    """A feedback report, or a Rejection naming the field that is missing or wrong."""
    parts = list(mime.walk(msg, ctx.limits))
    feedback = next(
        (p for _, p in parts if mime.content_type(p) == "message/feedback-report"), None
    )
    if feedback is None:
        raise Rejection("Content-Type", "no message/feedback-report part: not an ARF report")
    block = mime.fields(mime.body_text(feedback))
    notes: list[str] = []
    feedback_type = _feedback_type(block, notes)
    if mime.field(block, "Version") is None:
        notes.append("Version field missing (RFC 5965 requires it)")
    if mime.field(block, "User-Agent") is None:
        notes.append("User-Agent field missing (RFC 5965 requires it)")

    keys = KeyCollector(ctx.limits.max_keys)
    arrival = parse_time(mime.field(block, "Arrival-Date") or mime.field(block, "Received-Date"))
    source_ip = mime.field(block, "Source-IP")
    if source_ip is not None and valid_ip(source_ip) is None:
        raise Rejection("Source-IP", f"{source_ip[:60]!r} is not an IP address")
    if source_ip is not None:
        keys.add("sending_ips", [SendingIp(valid_ip(source_ip) or "", arrival)])
    for name in ("Reported-Domain", "Original-Mail-From"):
        for value in mime.field_all(block, name):
            keys.add("domains", [domain_of(value)])
    keys.add("addresses", addresses_in(" ".join(mime.field_all(block, "Original-Mail-From"))))
    keys.add("urls", (refang(u.strip()) for u in mime.field_all(block, "Reported-URI")))
    keys.add("feedback_tokens", _tokens_of(block))

    original, view = _original(parts, keys, ctx)
    auth_failure = _auth_failure(block) if feedback_type == "auth-failure" else None
    kind = ReportKind.DMARC_FAILURE if _is_dmarc(auth_failure) else ReportKind.ARF
    key = f"arf:{feedback_type}"
    clause = clause_for(ctx.mapping, key)
    reporter = reporter_from(msg.get("From"), mime.field(block, "User-Agent"))
    built = keys.build()
    fallback = [dedup.text_fingerprint(_body_of(view))] if view is not None else []
    fallback += [f"{s.ip}@{s.at}" for s in built.sending_ips]
    return Report(
        kind=kind,
        received=ctx.received,
        reporter=reporter,
        mapping_key=key,
        clause=clause,
        keys=built,
        digest=digest_for(reporter, clause or key, built, fallback),
        campaign_key=campaign_of(view),
        source_ip=ctx.source_ip,
        incident_time=arrival,
        original=original,
        auth_failure=auth_failure,
        report_id=clean_message_id(msg.get("Message-ID")),
        summary=summary(_human_text(parts), ctx.limits),
        notes=tuple(notes),
    )


def _feedback_type(block: Message, notes: list[str]) -> str:
    value = mime.field(block, "Feedback-Type")
    if value is None:
        alias = (mime.field(block, "Abuse-Type") or "").strip().lower()
        if alias not in _ABUSE_TYPE_ALIASES:
            raise Rejection("Feedback-Type", "missing from the message/feedback-report part")
        notes.append(f"no Feedback-Type; Abuse-Type {alias!r} read as {_ABUSE_TYPE_ALIASES[alias]}")
        return _ABUSE_TYPE_ALIASES[alias]
    value = value.strip().lower()
    if not _TYPE.match(value):
        raise Rejection("Feedback-Type", f"{value[:40]!r} is not a feedback type token")
    return value


def _original(
    parts: list[tuple[str, Message]], keys: KeyCollector, ctx: IntakeContext
) -> tuple[Original | None, EmailView | None]:
    for _, part in parts:
        ctype = mime.content_type(part)
        if ctype in ORIGINAL_TYPES:
            raw = mime.original_bytes(part)
            if not raw.strip():
                return None, None
            view = collect_from_original(raw, keys, ctx)
            return keep_original(raw, ctx, headers_only=ctype != "message/rfc822"), view
    return None, None


def _auth_failure(block: Message) -> AuthFailure:
    methods = [m.strip().lower() for m in mime.field_all(block, "Auth-Failure") if m.strip()]
    return AuthFailure(
        methods=tuple(methods),
        reported_domain=domain_of(mime.field(block, "Reported-Domain")),
        authentication_results=mime.field(block, "Authentication-Results"),
        delivery_result=mime.field(block, "Delivery-Result"),
        identity_alignment=mime.field(block, "Identity-Alignment"),
    )


def _is_dmarc(failure: AuthFailure | None) -> bool:
    if failure is None:
        return False
    results = (failure.authentication_results or "").lower()
    return (
        "dmarc" in failure.methods or "dmarc=" in results or failure.identity_alignment is not None
    )


def _tokens_of(block: Message) -> list[str]:
    return tokens_in("\n".join(f"{k}: {v}" for k, v in block.items()))


def _human_text(parts: list[tuple[str, Message]]) -> str:
    for _, part in parts:
        if mime.content_type(part) == "text/plain":
            return mime.body_text(part)
    return ""


def _body_of(view: EmailView) -> str:
    return "\n".join(p.text for p in view.text_parts)
