"""Delivery status notifications (RFC 3464): bounce type, status, recipient, Message-ID."""

from __future__ import annotations

import re
from dataclasses import replace
from email.message import Message

from aupguard.errors import Rejection
from aupguard.reports import mime
from aupguard.reports.arf import ORIGINAL_TYPES
from aupguard.reports.assemble import campaign_of, clause_for, digest_for, reporter_from, summary
from aupguard.reports.keys import KeyCollector, clean_message_id, domain_of, parse_time, tokens_in
from aupguard.reports.model import Bounce, BounceType, IntakeContext, Report, ReportKind
from aupguard.reports.originals import collect_from_original, keep_original

_STATUS = re.compile(r"^([245])\.(\d{1,3})\.(\d{1,3})$")
_BOUNCING = ("failed", "delayed")


def is_dsn(msg: Message, ctx: IntakeContext) -> bool:
    return any(
        mime.content_type(p) == "message/delivery-status" for _, p in mime.walk(msg, ctx.limits)
    )


def parse_dsn(msg: Message, ctx: IntakeContext) -> Report:
    parts = list(mime.walk(msg, ctx.limits))
    status_part = next(
        (p for _, p in parts if mime.content_type(p) == "message/delivery-status"), None
    )
    if status_part is None:
        raise Rejection("Content-Type", "no message/delivery-status part: not a DSN")
    blocks = _blocks(status_part)
    if len(blocks) < 2:
        raise Rejection("delivery-status", "no per-recipient fields (RFC 3464 section 2.3)")
    per_message, recipients = blocks[0], blocks[1:]
    bounces = [_bounce(block, i) for i, block in enumerate(recipients, 1)]
    failing = [b for b in bounces if b.action in _BOUNCING]
    if not failing:
        actions = ", ".join(sorted({b.action for b in bounces}))
        raise Rejection("delivery-status.Action", f"{actions}: a success notice, not a bounce")
    bounce = min(failing, key=lambda b: b.type != BounceType.HARD)  # a hard bounce wins
    keys = KeyCollector(ctx.limits.max_keys)
    keys.add("feedback_tokens", tokens_in(mime.field(per_message, "Original-Envelope-Id") or ""))
    view = None
    original = None
    for _, part in parts:
        if mime.content_type(part) in ORIGINAL_TYPES:
            raw = mime.original_bytes(part)
            if raw.strip():
                view = collect_from_original(raw, keys, ctx)
                headers_only = mime.content_type(part) != "message/rfc822"
                original = keep_original(raw, ctx, headers_only=headers_only)
            break
    key = f"dsn:{bounce.type.value}"
    clause = clause_for(ctx.mapping, key)
    reporting = (mime.field(per_message, "Reporting-MTA") or "").partition(";")[2].strip()
    reporter = replace(reporter_from(msg.get("From")), domain=domain_of(reporting) or None)
    built = keys.build()
    arrival = parse_time(mime.field(per_message, "Arrival-Date"))
    fallback = [bounce.final_recipient or "", bounce.status, str(arrival)]
    notes = (f"{len(failing)} of {len(bounces)} recipients bounced",) if len(bounces) > 1 else ()
    return Report(
        kind=ReportKind.DSN,
        received=ctx.received,
        reporter=reporter,
        mapping_key=key,
        clause=clause,
        keys=built,
        digest=digest_for(reporter, key, built, fallback),
        campaign_key=campaign_of(view),
        source_ip=ctx.source_ip,
        incident_time=arrival,
        original=original,
        bounce=bounce,
        report_id=clean_message_id(msg.get("Message-ID")),
        summary=summary(bounce.diagnostic or bounce.status, ctx.limits),
        notes=notes,
    )


def _blocks(part: Message) -> list[Message]:
    payload = part.get_payload()
    if isinstance(payload, list) and all(isinstance(b, Message) for b in payload):
        cte = (part.get("Content-Transfer-Encoding") or "").lower()
        if "base64" not in cte and "quoted-printable" not in cte:
            return [b for b in payload if isinstance(b, Message) and b.keys()]
    text = mime.body_text(part).replace("\r\n", "\n")
    return [mime.fields(chunk) for chunk in re.split(r"\n[ \t]*\n", text) if chunk.strip()]


def _bounce(block: Message, index: int) -> Bounce:
    where = f"delivery-status.recipient[{index}]"
    action = (mime.field(block, "Action") or "").strip().lower()
    if not action:
        raise Rejection(f"{where}.Action", "missing (RFC 3464 requires it)")
    status_text = (mime.field(block, "Status") or "").split()[0:1]
    status = status_text[0] if status_text else ""
    m = _STATUS.match(status)
    if not m:
        raise Rejection(f"{where}.Status", f"{status[:20]!r} is not a status code like 5.1.1")
    return Bounce(
        type=BounceType.HARD if m.group(1) == "5" else BounceType.SOFT,
        status=status,
        action=action,
        final_recipient=_address(mime.field(block, "Final-Recipient")),
        original_recipient=_address(mime.field(block, "Original-Recipient")),
        diagnostic=(mime.field(block, "Diagnostic-Code") or "").partition(";")[2].strip() or None,
        remote_mta=(mime.field(block, "Remote-MTA") or "").partition(";")[2].strip() or None,
    )


def _address(value: str | None) -> str | None:
    """`rfc822; user@example.com` -> `user@example.com`."""
    if not value:
        return None
    kind, sep, address = value.partition(";")
    return (address if sep else kind).strip().strip("<>").lower() or None
