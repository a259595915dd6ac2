"""What a report is, from its bytes: ARF, DSN, X-ARF (bare or mailed), DMARC text, complaint."""

from __future__ import annotations

from email.message import Message

from aupguard.errors import Rejection
from aupguard.reports import mime
from aupguard.reports.arf import is_arf, parse_arf
from aupguard.reports.complaint import parse_complaint
from aupguard.reports.dmarc import first_text, looks_like_plain_dmarc, parse_plain_dmarc
from aupguard.reports.dsn import is_dsn, parse_dsn
from aupguard.reports.model import IntakeContext, Report
from aupguard.reports.xarf import is_xarf, load_json, parse_xarf, parse_xarf_object

_JSON_TYPES = ("application/json", "application/xarf+json", "text/json")


def parse_report(data: bytes, ctx: IntakeContext) -> Report:
    """Any report the abuse mailbox or `reports parse` may see; Rejection when unusable."""
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{"):
        return parse_xarf(data, ctx)
    return read_message(data, ctx)


def read_message(raw: bytes, ctx: IntakeContext) -> Report:
    """One message from the abuse mailbox, whatever kind of report it carries."""
    msg = mime.parse_message(raw, ctx.limits)
    if is_arf(msg, ctx):
        return parse_arf(msg, ctx)
    if is_dsn(msg, ctx):
        return parse_dsn(msg, ctx)
    mailed = _xarf_part(msg, ctx)
    if mailed is not None:
        return parse_xarf_object(mailed, ctx)
    text = first_text(msg, ctx)
    if looks_like_plain_dmarc(msg, text):
        return parse_plain_dmarc(msg, text, ctx)
    return parse_complaint(raw, msg, ctx)


def _xarf_part(msg: Message, ctx: IntakeContext) -> dict[str, object] | None:
    """The X-ARF JSON a mailed report attaches (a .json part that holds an X-ARF object)."""
    for path, part in mime.walk(msg, ctx.limits):
        ctype = mime.content_type(part)
        name = _filename(part)
        if ctype not in _JSON_TYPES and not name.endswith(".json"):
            continue
        try:
            value = load_json(mime.body_bytes(part), ctx)
        except Rejection as exc:
            raise Rejection(f"part {path}: {exc.field}", exc.reason) from None
        if is_xarf(value):
            return value
    return None


def _filename(part: Message) -> str:
    try:
        return (part.get_filename() or "").lower()
    except Exception:  # broken RFC 2231 parameters: no usable name
        return ""
