"""Free-form complaints to the abuse mailbox: text or HTML, with or without the original."""

from __future__ import annotations

import re
from email.message import Message

from aupguard.errors import Rejection
from aupguard.events.email import EmailView
from aupguard.reports import dedup, mime
from aupguard.reports.assemble import campaign_of, clause_for, digest_for, reporter_from, summary
from aupguard.reports.keys import KeyCollector, clean_message_id
from aupguard.reports.model import IntakeContext, Report, ReportKind
from aupguard.reports.originals import collect_from_original, keep_original, original_view

MAPPING_KEY = "complaint"
OPT_OUT_KEY = "complaint:opt-out"
# Mail clients' inline-forward markers; the forwarded header block follows the marker.
_FORWARD = re.compile(
    r"(?im)^[ \t>]{0,8}(?:-{2,12}[ \t]{0,4}(?:original message|forwarded message)[ \t]{0,4}-{0,12}"
    r"|begin forwarded message:)[ \t]{0,8}$"
)


def parse_complaint(raw: bytes, msg: Message, ctx: IntakeContext) -> Report:
    outer = original_view(raw, ctx)
    keys = KeyCollector(ctx.limits.max_keys)
    attached = _attached_original(msg, keys, ctx)
    own = [p for p in outer.text_parts if attached is None or not _inside(p.part, attached[0])]
    body = "\n".join(p.text for p in own)[: ctx.limits.max_text_chars]
    view = attached[1] if attached else _inline_forward(body, keys, ctx)
    original = keep_original(view.raw, ctx) if view is not None else None
    keys.text(body, ctx.phone_region)
    spoken = "".join(p.text for p in own if p.part != "subject")
    if not spoken.strip() and original is None and keys.build().is_empty():
        raise Rejection(
            "body", "empty complaint: no text, no forwarded message, nothing to look up"
        )
    opt_out = _is_opt_out(msg)
    key = OPT_OUT_KEY if opt_out else MAPPING_KEY
    clause = clause_for(ctx.mapping, key)
    reporter = reporter_from(msg.get("From"))
    built = keys.build()
    own_id = clean_message_id(msg.get("Message-ID"))
    return Report(
        kind=ReportKind.COMPLAINT,
        received=ctx.received,
        reporter=reporter,
        mapping_key=key,
        clause=clause,
        keys=built,
        digest=digest_for(reporter, clause or key, built, [dedup.text_fingerprint(body)]),
        campaign_key=campaign_of(view),
        source_ip=ctx.source_ip,
        original=original,
        report_id=own_id,
        summary=summary(body, ctx.limits),
    )


def _attached_original(
    msg: Message, keys: KeyCollector, ctx: IntakeContext
) -> tuple[str, EmailView] | None:
    """(MIME path, view) of the first message/rfc822 part: the message forwarded as attachment."""
    for path, part in mime.walk(msg, ctx.limits):
        if mime.content_type(part) == "message/rfc822":
            raw = mime.original_bytes(part)
            if raw.strip():
                return path, collect_from_original(raw, keys, ctx)
    return None


def _inside(part: str, path: str) -> bool:
    return part == path or part.startswith(path + ".")


def _inline_forward(body: str, keys: KeyCollector, ctx: IntakeContext) -> EmailView | None:
    """The header block after "---- Forwarded message ----", read as a message."""
    m = _FORWARD.search(body)
    if not m:
        return None
    chunk = "\n".join(line.lstrip("> ") for line in body[m.end() :].lstrip("\n").splitlines())
    if ":" not in chunk.partition("\n")[0]:
        return None
    return collect_from_original(chunk.encode("utf-8", "surrogateescape"), keys, ctx)


def _is_opt_out(msg: Message) -> bool:
    subject = " ".join((msg.get("Subject") or "").split()).lower()
    return subject in ("unsubscribe", "remove", "opt out", "opt-out") or bool(
        msg.get("X-Apple-Unsubscribe")
    )
