"""Common and Combined Log Format lines to HTTP request records."""

from __future__ import annotations

import re
from datetime import datetime

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
    try:
        when = datetime.strptime(m["time"], "%d/%b/%Y:%H:%M:%S %z")
    except ValueError as exc:
        raise InputError(f"bad time {m['time']!r} (expected 10/Oct/2000:13:55:36 -0700)") from exc
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
