"""Reading report mail within limits: parse, walk the MIME tree, decode bodies and field blocks."""

from __future__ import annotations

import base64
import binascii
import quopri
from collections.abc import Iterator
from email.message import Message
from email.parser import BytesParser, HeaderParser
from email.policy import compat32

from aupguard.errors import Rejection
from aupguard.events.email import decode_bytes, decode_header_value
from aupguard.reports.model import ReportLimits

_PARSER = BytesParser(policy=compat32)
_FIELDS = HeaderParser(policy=compat32)


def parse_message(raw: bytes, limits: ReportLimits, what: str = "message") -> Message:
    """The message, or a Rejection when it is too large or not mail at all."""
    if len(raw) > limits.max_report_bytes:
        raise Rejection(what, f"{len(raw)} bytes is over the limit of {limits.max_report_bytes}")
    if not raw.strip():
        raise Rejection(what, "is empty")
    try:
        msg = _PARSER.parsebytes(raw.lstrip(b"\r\n"))
    except RecursionError:
        raise Rejection(what, "MIME nesting too deep to parse") from None
    except Exception as exc:  # compat32 is lenient; what is left is not a message
        raise Rejection(what, f"cannot be read as RFC 5322 mail ({type(exc).__name__})") from None
    if not msg.keys():
        raise Rejection(f"{what}.header", "no header fields: not an RFC 5322 message")
    return msg


def walk(msg: Message, limits: ReportLimits) -> Iterator[tuple[str, Message]]:
    """(MIME path, part) in document order, without entering message/* parts; bounded."""
    stack: list[tuple[str, int, Message]] = [("1", 0, msg)]
    count = 0
    while stack:
        path, depth, part = stack.pop()
        count += 1
        if count > limits.max_parts:
            raise Rejection("message", f"more than {limits.max_parts} MIME parts")
        if depth > limits.max_mime_depth:
            raise Rejection(path, f"MIME nesting deeper than {limits.max_mime_depth}")
        yield path, part
        if part.get_content_maintype() == "multipart":
            children = part.get_payload()
            if isinstance(children, list):
                for i in range(len(children), 0, -1):
                    child = children[i - 1]
                    if isinstance(child, Message):
                        stack.append((f"{path}.{i}", depth + 1, child))


def content_type(part: Message) -> str:
    try:
        return part.get_content_type()
    except Exception:  # a malformed Content-Type reads as text/plain (RFC 2045)
        return "text/plain"


def body_bytes(part: Message) -> bytes:
    """The decoded body of a leaf part, or the source text of a message/* part."""
    payload = part.get_payload()
    if isinstance(payload, list):
        inner = payload[0] if payload and isinstance(payload[0], Message) else None
        data = flatten(inner) if inner is not None else b""
        return _decode_transfer(data, (part.get("Content-Transfer-Encoding") or "").lower())
    try:
        decoded: object = part.get_payload(decode=True)
    except Exception:  # undecodable transfer encoding: use the raw text
        decoded = None
    if isinstance(decoded, bytes):
        return decoded
    return payload.encode("utf-8", "surrogateescape") if isinstance(payload, str) else b""


def _decode_transfer(data: bytes, cte: str) -> bytes:
    """message/* parts should not be encoded, but some reporters base64 them anyway."""
    if "base64" in cte:
        try:
            return base64.b64decode(b"".join(data.split()), validate=False)
        except (binascii.Error, ValueError):
            return data
    if "quoted-printable" in cte:
        return quopri.decodestring(data)
    return data


def body_text(part: Message) -> str:
    return decode_bytes(body_bytes(part), part.get_content_charset())


def fields(text: str) -> Message:
    """A block of `Name: value` lines (message/feedback-report, delivery-status) as fields."""
    return _FIELDS.parsestr(text.lstrip("\r\n").replace("\r\n", "\n"), headersonly=True)


def field(block: Message, name: str) -> str | None:
    value = block.get(name)
    if value is None:
        return None
    text = decode_header_value(str(value))
    return text or None


def field_all(block: Message, name: str) -> list[str]:
    return [decode_header_value(str(v)) for v in block.get_all(name) or []]


def original_bytes(part: Message) -> bytes:
    """The reported message carried in a message/rfc822 or text/rfc822-headers part."""
    payload = part.get_payload()
    if isinstance(payload, list):
        inner = payload[0] if payload and isinstance(payload[0], Message) else None
        return flatten(inner) if inner is not None else b""
    return body_bytes(part)


def flatten(msg: Message) -> bytes:
    """The message as bytes; hostile header values that the generator refuses to fold are
    written back as they came, and a body that cannot be regenerated is left out."""
    try:
        return msg.as_bytes(policy=compat32)
    except Exception:  # the generator rejects embedded headers, bad charsets...
        head = "".join(f"{k}: {v}\n" for k, v in msg.items())
        payload = msg.get_payload()
        body = payload if isinstance(payload, str) else ""
        return (head + "\n" + body).encode("utf-8", "surrogateescape")
