"""E-mail views: compat32 parsing (fast), decoded lazily, within hard limits."""

from __future__ import annotations

import email.header
import re
from email.message import Message
from email.parser import BytesParser
from email.policy import compat32
from functools import cached_property

from aupguard.events.addresses import parse_address
from aupguard.events.html import HtmlDocument, parse_html
from aupguard.events.limits import Limits
from aupguard.events.mimehidden import hidden_attachments
from aupguard.events.model import EmailContent, Event, Role
from aupguard.events.sniff import sniff_type
from aupguard.events.urls import urls_in_text
from aupguard.events.views import Attachment, LimitHit, TextPart, UrlRef, Views

_PARSER = BytesParser(policy=compat32)
# Defects that mean the message was cut short (others, common in spam, mean sloppy MIME).
_TRUNCATION_DEFECTS = {"CloseBoundaryNotFoundDefect", "InvalidBase64LengthDefect"}


def decode_header_value(value: str | None) -> str:
    """RFC 2047 encoded words to text; never raises, unknown charsets fall back to UTF-8."""
    if not value:
        return ""
    if not value.isascii() and any("\udc80" <= ch <= "\udcff" for ch in value):
        # Raw 8-bit bytes (compat32 keeps them as surrogates): nearly always UTF-8.
        value = value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    if "=?" not in value:
        return " ".join(value.split())
    try:
        chunks = email.header.decode_header(value)
    except Exception:  # malformed encoded words: keep the raw text
        return " ".join(value.split())
    out: list[str] = []
    for chunk, charset in chunks:
        if isinstance(chunk, str):
            out.append(chunk)
        else:
            out.append(decode_bytes(chunk, charset))
    return " ".join("".join(out).split())


def decode_bytes(data: bytes, charset: str | None) -> str:
    try:
        return data.decode(charset or "utf-8", "replace")
    except (LookupError, ValueError):
        return data.decode("utf-8", "replace")


class EmailView(Views):
    """Header fields, text parts (plain, HTML, subject), URLs and attachments of one message."""

    content: EmailContent

    def __init__(self, event: Event, limits: Limits | None = None) -> None:
        super().__init__(event, limits)
        assert isinstance(event.content, EmailContent)
        self.content = event.content
        self._html_docs: list[tuple[str, HtmlDocument]] = []
        self._walked = False
        self._texts: list[TextPart] = []
        self._attachments: list[Attachment] = []
        self._decoded: dict[str, str | None] = {}

    @property
    def raw(self) -> bytes:
        return self.content.raw

    @cached_property
    def message(self) -> Message:
        raw = self.content.raw
        if len(raw) > self.limits.max_bytes:
            self.limit_hits.append(
                LimitHit("size", f"{len(raw)} bytes, only the first {self.limits.max_bytes} read")
            )
            raw = raw[: self.limits.max_bytes]
        try:
            msg = _PARSER.parsebytes(raw)
        except RecursionError:
            self.limit_hits.append(LimitHit("mime_depth", "MIME nesting too deep to parse"))
            head, _, _ = raw.partition(b"\n\n")
            msg = _PARSER.parsebytes(head + b"\n\n", headersonly=True)
        except Exception as exc:  # compat32 is lenient; anything left is a malformed message
            self.defects.append(f"unparseable: {type(exc).__name__}")
            msg = Message()
        self.defects.extend(type(d).__name__ for d in msg.defects)
        return msg

    @cached_property
    def headers(self) -> tuple[tuple[str, str], ...]:
        """Top-level header fields in order, values as written (not decoded)."""
        items: list[tuple[str, str]] = self.message._headers  # type: ignore[attr-defined]
        if len(items) > self.limits.max_headers:
            self.limit_hits.append(LimitHit("headers", f"{len(items)} header fields"))
            items = items[: self.limits.max_headers]
        return tuple((str(k), str(v)) for k, v in items)

    @cached_property
    def _by_name(self) -> dict[str, list[str]]:
        """Values of each field by lower-case name, in order: detectors ask for dozens."""
        out: dict[str, list[str]] = {}
        for key, value in self.headers:
            out.setdefault(key.lower(), []).append(value)
        return out

    def header(self, name: str) -> str | None:
        """First value of a header field, RFC 2047 decoded, or None (decoded once per name:
        several detectors ask for the same fields)."""
        key = name.lower()
        try:
            return self._decoded[key]
        except KeyError:
            values = self._by_name.get(key)
            value = self._decoded[key] = decode_header_value(values[0]) if values else None
            return value

    def has_header(self, name: str) -> bool:
        """Whether the field is present (a lower-case name: no decoding, no copy)."""
        return name in self._by_name

    def header_all(self, name: str) -> list[str]:
        return list(self._by_name.get(name.lower(), ()))

    @cached_property
    def subject(self) -> str:
        return self.header("Subject") or ""

    @cached_property
    def from_address(self) -> tuple[str, str]:
        """(display name, address) of the From field."""
        name, addr = parse_address(self.header("From") or "")
        return name, addr.lower()

    @cached_property
    def message_id(self) -> str | None:
        value = self.header("Message-ID")
        return value.strip() if value else None

    @cached_property
    def is_truncated(self) -> bool:
        self._walk()
        return any(d in _TRUNCATION_DEFECTS for d in self.defects)

    @cached_property
    def text_parts(self) -> tuple[TextPart, ...]:
        self._walk()
        return tuple(self._texts)

    @cached_property
    def attachments(self) -> tuple[Attachment, ...]:
        self._walk()
        return tuple(self._attachments)

    @cached_property
    def html_documents(self) -> tuple[tuple[str, HtmlDocument], ...]:
        self._walk()
        return tuple(self._html_docs)

    @cached_property
    def urls(self) -> tuple[UrlRef, ...]:
        self._walk()
        found: list[UrlRef] = []
        seen: set[tuple[str, str]] = set()
        for part, doc in self._html_docs:
            for href, anchor in doc.links:
                if (href, part) not in seen:
                    seen.add((href, part))
                    found.append(UrlRef(url=href, part=part, anchor_text=anchor))
        for tp in self._texts:
            for ref in urls_in_text(tp.text, tp.part):
                if (ref.url, ref.part) not in seen:
                    seen.add((ref.url, ref.part))
                    found.append(ref)
        return tuple(found[: self.limits.max_urls])

    # -- the walk: one pass over the MIME tree, bounded in depth and parts -------------

    def _walk(self) -> None:
        if self._walked:
            return
        self._walked = True
        if self.subject:
            self._texts.append(TextPart(Role.SUBJECT, self.subject, "subject"))
        counter = [0]
        try:
            self._visit(self.message, "1", 0, counter)
        except RecursionError:
            self.limit_hits.append(LimitHit("mime_depth", "MIME nesting too deep to walk"))
        seen = [a.data for a in self._attachments]
        hidden = hidden_attachments(self.content.raw, seen, self.limits.max_bytes)
        for n, (name, data) in enumerate(hidden, 1):
            self.defects.append("HiddenAttachmentDefect")
            kind = sniff_type(data)
            self._attachments.append(Attachment(name, "", kind, data, f"hidden-{n}"))

    def _visit(self, part: Message, path: str, depth: int, counter: list[int]) -> None:
        counter[0] += 1
        if counter[0] > self.limits.max_parts:
            if counter[0] == self.limits.max_parts + 1:
                self.limit_hits.append(LimitHit("parts", f"more than {self.limits.max_parts}"))
            return
        if depth > self.limits.max_mime_depth:
            self.limit_hits.append(
                LimitHit("mime_depth", f"deeper than {self.limits.max_mime_depth}", path)
            )
            return
        if part is not self.message:
            self.defects.extend(type(d).__name__ for d in part.defects)
        if part.is_multipart():
            payload = part.get_payload()
            children = payload if isinstance(payload, list) else []
            for i, child in enumerate(children, 1):
                if isinstance(child, Message):
                    self._visit(child, f"{path}.{i}", depth + 1, counter)
            return
        raw_ctype = str(part.get("Content-Type") or "")  # 8-bit fields come back as Header
        ctype = raw_ctype.split(";", 1)[0].strip().lower() or "text/plain"
        if "/" not in ctype:
            ctype = "text/plain"  # RFC 2045: an invalid type is treated as text/plain
        raw_disp = str(part.get("Content-Disposition") or "")
        disposition = raw_disp.split(";", 1)[0].strip().lower()
        has_name = "name" in raw_disp.lower() or "name" in raw_ctype.lower()
        filename = _filename(part) if has_name else None
        data = _payload_bytes(part)
        if ctype in ("text/plain", "text/html") and not filename and disposition != "attachment":
            text = decode_bytes(data, _charset(raw_ctype))
            if ctype == "text/html":
                doc = parse_html(text, self.limits.max_text_chars)
                self._html_docs.append((path, doc))
                self._texts.append(TextPart(Role.HTML, doc.text, path))
            else:
                self._texts.append(TextPart(Role.BODY, text[: self.limits.max_text_chars], path))
            return
        self._attachments.append(
            Attachment(
                name=filename or "",
                declared_type=ctype,
                sniffed_type=sniff_type(data),
                data=data,
                part=path,
                inline=disposition == "inline",
            )
        )


_CHARSET = re.compile(r"""charset\s*=\s*["']?([\w.:+-]{1,40})""", re.IGNORECASE)


def _charset(content_type: str) -> str | None:
    m = _CHARSET.search(content_type)
    return m.group(1).lower() if m else None


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except Exception:  # broken RFC 2231 parameters
        return None
    if name and "\ufffd" in name:  # raw 8-bit UTF-8 in the field: compat32 lost it
        name = _raw_8bit_filename(part) or name
    return decode_header_value(name) if name else None


_RAW_FILENAME = re.compile(r"""(?i)\bfilename\s*=\s*"?([^";\r\n]{1,255})""")


def _raw_8bit_filename(part: Message) -> str | None:
    for key, value in part._headers:  # type: ignore[attr-defined]
        if str(key).lower() in ("content-disposition", "content-type"):
            text = str(value).encode("ascii", "surrogateescape").decode("utf-8", "replace")
            m = _RAW_FILENAME.search(text)
            if m:
                return m.group(1).strip()
    return None


def _payload_bytes(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:  # undecodable transfer encoding: judge the raw text
        data = None
    if isinstance(data, bytes):
        return data
    raw = part.get_payload()
    if isinstance(raw, str):
        return raw.encode("utf-8", "surrogateescape")
    return b""
