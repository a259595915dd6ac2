"""Read inputs as events: .eml, mbox, Maildir, BSMTP, JSON Lines, logs, pcaps, bare files."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

from aupguard.errors import InputError
from aupguard.events.accesslog import parse_access_line
from aupguard.events.jsonevent import event_from_json
from aupguard.events.model import Channel, EmailContent, Event, FileContent
from aupguard.events.sniff import PCAP_MAGICS, sniff_type
from aupguard.events.zeek import is_zeek_log, read_conn_log

Item = Event | InputError

_HEADER_LINE = re.compile(rb"^[!-9;-~]{1,100}:")
_MBOX_SPLIT = re.compile(rb"^From [^\n]*\n", re.MULTILINE)
_EMAIL_SUFFIXES = {".eml", ".msg", ".mail", ".mbox", ".mbx"}
_JSONL_SUFFIXES = {".jsonl", ".ndjson"}
_LOG_SUFFIXES = {".log", ".access_log"}
_PCAP_SUFFIXES = {".pcap", ".pcapng", ".cap"}
MAX_FILE_BYTES = 200 * 1024 * 1024


def content_id(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()[:32]


def expand_paths(paths: list[Path]) -> Iterator[Path | InputError]:
    """Every file under the given paths, in a stable order; Maildir tmp/ is skipped."""
    for path in paths:
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs.sort()
                if {"cur", "new", "tmp"} <= set(dirs):
                    dirs.remove("tmp")  # Maildir: messages still being delivered
                for name in sorted(files):
                    yield Path(root) / name
        elif path.exists():
            yield path
        else:
            yield InputError("no such file or directory", str(path))


def read_file(path: Path) -> Iterator[Item]:
    """The events in one file; a file that cannot be read yields one InputError."""
    source = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            yield InputError(f"file is {size} bytes, over the {MAX_FILE_BYTES}-byte limit", source)
            return
        data = path.read_bytes()
    except OSError as exc:
        yield InputError(exc.strerror or str(exc), source)
        return
    yield from read_bytes(data, source, path.suffix.lower())


def read_bytes(data: bytes, source: str, suffix: str = "") -> Iterator[Item]:
    if not data.strip():
        yield InputError("empty file", source)
        return
    if data[:4] in PCAP_MAGICS:
        from aupguard.events.pcap import read_pcap  # dpkt: imported only for captures

        yield from read_pcap(data, source)
    elif suffix in _PCAP_SUFFIXES:
        yield InputError(f"not a pcap or pcapng file (starts with {data[:4].hex()})", source)
    elif is_zeek_log(data):
        yield from read_conn_log(data, source)
    elif suffix in _JSONL_SUFFIXES:
        yield from _jsonl(data, source)
    elif suffix == ".json":
        yield from _json(data, source)
    elif suffix in _LOG_SUFFIXES and not _HEADER_LINE.match(data):
        yield from _access_log(data, source)
    elif data.startswith(b"From "):
        yield from _mbox(data, source)
    elif data[:5].upper() in (b"HELO ", b"EHLO "):
        yield from _bsmtp(data, source)
    elif _HEADER_LINE.match(data.lstrip(b"\r\n")):
        yield email_event(data, source)
    elif suffix in _EMAIL_SUFFIXES:
        yield InputError("not an RFC 5322 message: line 1 is not a header field", source)
    elif sniff_type(data) == "application/octet-stream":
        yield InputError(
            "unrecognised input: not a message, mbox, Maildir, JSON Lines, log or known file type",
            source,
        )
    else:
        yield Event(
            id=content_id(data),
            channel=Channel.FILE,
            content=FileContent(os.path.basename(source), data),
            source=source,
        )


_DATE = re.compile(rb"^Date:[ \t]*([^\r\n]{1,100})", re.MULTILINE | re.IGNORECASE)


def _date_of(raw: bytes) -> datetime:
    """The Date header of a stored message (its send time), else now."""
    head = raw[: raw.find(b"\n\n") if b"\n\n" in raw[:65536] else 65536]
    m = _DATE.search(head)
    if m:
        try:
            when = parsedate_to_datetime(m.group(1).decode("latin-1"))
            return when if when.tzinfo else when.replace(tzinfo=UTC)
        except (ValueError, TypeError, IndexError):
            pass
    return datetime.now(UTC)


def email_event(raw: bytes, source: str, **envelope: object) -> Event:
    """An e-mail event read from storage: the id is the content's, the time its Date."""
    content = EmailContent(raw.lstrip(b"\r\n"), **envelope)  # type: ignore[arg-type]
    return Event(
        id=content_id(raw),
        channel=Channel.EMAIL,
        content=content,
        time=_date_of(raw),
        source=source,
    )


def _mbox(data: bytes, source: str) -> Iterator[Item]:
    starts = [m.end() for m in _MBOX_SPLIT.finditer(data)]
    for i, start in enumerate(starts):
        end = data.rfind(b"\n", start, starts[i + 1]) if i + 1 < len(starts) else len(data)
        body = re.sub(rb"(?m)^>(>*From )", rb"\1", data[start:end])
        where = f"{source}#{i}"
        if _HEADER_LINE.match(body):
            yield email_event(body, where)
        else:
            yield InputError("mbox entry is not an RFC 5322 message", where)


def _bsmtp(data: bytes, source: str) -> Iterator[Item]:
    """Batch SMTP: HELO, MAIL FROM, RCPT TO, DATA ... '.'; dot-stuffing undone."""
    lines = data.split(b"\n")
    mail_from: str | None = None
    rcpts: list[str] = []
    helo: str | None = None
    i, index = 0, 0
    while i < len(lines):
        line = lines[i].rstrip(b"\r")
        verb = line[:10].upper()
        if verb.startswith((b"HELO ", b"EHLO ")):
            helo = line[5:].strip().decode("latin-1")
        elif verb.startswith(b"MAIL FROM:"):
            mail_from = line[10:].strip().strip(b"<>").decode("latin-1")
        elif verb.startswith(b"RCPT TO:"):
            rcpts.append(line[8:].strip().strip(b"<>").decode("latin-1"))
        elif verb == b"DATA":
            body: list[bytes] = []
            i += 1
            while i < len(lines) and lines[i].rstrip(b"\r") != b".":
                body.append(lines[i][1:] if lines[i].startswith(b"..") else lines[i])
                i += 1
            raw = b"\n".join(body)
            if raw.startswith(b"From "):  # an mbox envelope line inside DATA
                raw = raw.split(b"\n", 1)[1] if b"\n" in raw else b""
            where = f"{source}#{index}"
            if _HEADER_LINE.match(raw):
                yield email_event(raw, where, mail_from=mail_from, rcpt_to=tuple(rcpts), helo=helo)
            else:
                yield InputError("BSMTP DATA is not an RFC 5322 message", where)
            index += 1
            rcpts = []
        i += 1
    if index == 0:
        yield InputError("BSMTP session without a DATA section", source)


def _jsonl(data: bytes, source: str) -> Iterator[Item]:
    for n, line in enumerate(data.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{source}:{n}"
        try:
            obj = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            yield InputError(f"invalid JSON: {exc}", where)
            continue
        try:
            yield event_from_json(obj, where)
        except InputError as exc:
            yield exc


def _json(data: bytes, source: str) -> Iterator[Item]:
    try:
        obj = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        yield InputError(f"invalid JSON: {exc}", source)
        return
    objs = obj if isinstance(obj, list) else [obj]
    for i, one in enumerate(objs):
        try:
            yield event_from_json(one, f"{source}#{i}" if isinstance(obj, list) else source)
        except InputError as exc:
            yield exc


def _access_log(data: bytes, source: str) -> Iterator[Item]:
    for n, raw_line in enumerate(data.splitlines(), 1):
        line = raw_line.decode("utf-8", "replace")
        if not line.strip():
            continue
        where = f"{source}:{n}"
        try:
            req, when = parse_access_line(line)
        except InputError as exc:
            yield InputError(exc.reason, where)
            continue
        yield Event(
            id=content_id(f"{source}:{n}:{line}".encode()),
            channel=Channel.HTTP,
            content=req,
            time=when,
            source=where,
        )
