"""Zeek conn.log (tab-separated, `#fields` header) to flow records."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from aupguard.errors import InputError
from aupguard.events.model import Channel, Event, Flow

REQUIRED = ("ts", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto")
MAX_LINE = 65_536
MAX_FIELDS = 200


def is_zeek_log(data: bytes) -> bool:
    return data.startswith(b"#separator ")


def _separator(first_line: str) -> str:
    raw = first_line[len("#separator ") :].strip()
    try:
        sep = raw.encode("ascii").decode("unicode_escape") if raw.startswith("\\x") else raw
    except (UnicodeError, ValueError):
        sep = ""
    if len(sep) != 1:
        raise InputError(f"line 1: separator {raw!r} is not one character (expected \\x09)")
    return sep


def read_conn_log(data: bytes, source: str) -> Iterator[Event | InputError]:
    """One flow event per conn.log line; a bad line is an error naming file:line."""
    lines = data.decode("utf-8", "replace").splitlines()
    try:
        sep = _separator(lines[0])
    except InputError as exc:
        yield InputError(exc.reason, source)
        return
    fields: list[str] = []
    unset, empty = "-", "(empty)"
    for n, line in enumerate(lines, 1):
        where = f"{source}:{n}"
        if len(line) > MAX_LINE:
            yield InputError(f"line is {len(line)} characters, over the {MAX_LINE} limit", where)
            continue
        if line.startswith("#"):
            name, _, rest = line.partition(sep)
            if name == "#path" and rest.strip() != "conn":
                yield InputError(f"a Zeek {rest.strip()!r} log; only conn.log is read", source)
                return
            if name == "#fields":
                fields = rest.split(sep)[:MAX_FIELDS]
                missing = [f for f in REQUIRED if f not in fields]
                if missing:
                    yield InputError(f"#fields lacks {', '.join(missing)}", where)
                    return
            elif name == "#unset_field":
                unset = rest
            elif name == "#empty_field":
                empty = rest
            continue
        if not line.strip():
            continue
        if not fields:
            yield InputError("data line before the #fields header", where)
            return
        values = line.split(sep)
        if len(values) != len(fields):
            yield InputError(f"{len(values)} values for {len(fields)} #fields", where)
            continue
        row = {k: ("" if v in (unset, empty) else v) for k, v in zip(fields, values, strict=True)}
        try:
            yield _event(row, where)
        except (ValueError, OverflowError) as exc:
            yield InputError(f"bad value: {exc}", where)


def _int(row: dict[str, str], name: str) -> int:
    value = row.get(name, "")
    return int(value) if value else 0


def _event(row: dict[str, str], where: str) -> Event:
    ts = float(row["ts"])
    flow = Flow(
        src=row["id.orig_h"],
        dst=row["id.resp_h"],
        src_port=int(row["id.orig_p"]),
        dst_port=int(row["id.resp_p"]),
        proto=row["proto"] or "tcp",
        flags=row.get("history", ""),
        bytes_out=_int(row, "orig_bytes"),
        bytes_in=_int(row, "resp_bytes"),
        packets=_int(row, "orig_pkts") + _int(row, "resp_pkts"),
        state=row.get("conn_state", ""),
    )
    uid = row.get("uid") or f"{where}@{ts}"
    return Event(
        id=f"zeek:{uid}",
        channel=Channel.FLOW,
        content=flow,
        time=datetime.fromtimestamp(ts, UTC),
        source=where,
    )
