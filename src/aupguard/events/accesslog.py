"""Common and Combined Log Format lines to HTTP request records."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from aupguard.errors import InputError
from aupguard.events.model import HttpRequest

# Quoted fields may hold backslash escapes (Apache writes \" and \\); each character is
# taken by exactly one branch, so matching stays linear in the line length.
_Q = r'(?:[^"\\]|\\.)'
_CLF = re.compile(
    rf'^(?P<client>\S+) \S+ \S+ \[(?P<time>[^\]]{{1,64}})\] "(?P<request>{_Q}{{0,8192}})" '
    r"(?P<status>\d{3}) (?P<bytes>\d+|-)"
    rf'(?: "(?P<referrer>{_Q}{{0,4096}})" "(?P<agent>{_Q}{{0,4096}})")?'
)
_ESCAPE = re.compile(r"\\([\\\"])")


def _unescape(text: str | None) -> str:
    return _ESCAPE.sub(r"\1", text) if text and "\\" in text else (text or "")


def parse_access_line(line: str) -> tuple[HttpRequest, datetime]:
    """One log line to (request, time); raises InputError naming what did not match."""
    line = line.strip()
    if line.startswith('"') and line.endswith('"'):  # some exporters quote whole lines
        line = line[1:-1]
    m = _CLF.match(line)
    if not m:
        raise InputError("not a Common/Combined Log Format line")
    request = _unescape(m["request"])
    parts = request.split(" ")
    if len(parts) >= 3 and parts[-1].startswith("HTTP/"):
        parts = [parts[0], " ".join(parts[1:-1])]
    method, target = (parts[0], parts[1]) if len(parts) >= 2 else ("-", request)
    when = _time(m["time"])
    req = HttpRequest(
        client=m["client"],
        method=method,
        target=target,
        status=int(m["status"]),
        user_agent=_unescape(m["agent"]),
        referrer=_unescape(m["referrer"]),
        bytes_sent=0 if m["bytes"] == "-" else int(m["bytes"]),
    )
    return req, when


_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTHS = {m: i for i, m in enumerate(_MONTH_NAMES, 1)}
_CLF_TIME = re.compile(r"(\d\d)/([A-Z][a-z]{2})/(\d{4}):(\d\d):(\d\d):(\d\d) ([+-]\d{4})\Z")


def _time(text: str) -> datetime:
    """The line's time. The usual form is read field by field (strptime costs more than
    the rest of the parse); anything else goes to strptime, which says what is wrong."""
    m = _CLF_TIME.match(text)
    if m and m[2] in _MONTHS:
        day, _, year, hour, minute, second, zone = m.groups()
        try:
            return datetime(
                int(year),
                _MONTHS[m[2]],
                int(day),
                int(hour),
                int(minute),
                int(second),
                tzinfo=_zone(zone),
            )
        except ValueError:
            pass
    try:
        return datetime.strptime(text, "%d/%b/%Y:%H:%M:%S %z")
    except ValueError as exc:
        raise InputError(f"bad time {text!r} (expected 10/Oct/2000:13:55:36 -0700)") from exc


@lru_cache(maxsize=256)
def _zone(offset: str) -> timezone:
    minutes = int(offset[1:3]) * 60 + int(offset[3:5])
    return timezone(timedelta(minutes=-minutes if offset[0] == "-" else minutes))
