"""Common and Combined Log Format lines to HTTP request records."""

from __future__ import annotations

import re
from datetime import datetime

from aupguard.errors import InputError
from aupguard.events.model import HttpRequest

_CLF = re.compile(
    r'^(?P<client>\S+) \S+ \S+ \[(?P<time>[^\]]{1,64})\] "(?P<request>[^"]{0,8192})" '
    r"(?P<status>\d{3}) (?P<bytes>\d+|-)"
    r'(?: "(?P<referrer>[^"]{0,4096})" "(?P<agent>[^"]{0,4096})")?'
)


def parse_access_line(line: str) -> tuple[HttpRequest, datetime]:
    """One log line to (request, time); raises InputError naming what did not match."""
    m = _CLF.match(line.strip())
    if not m:
        raise InputError("not a Common/Combined Log Format line")
    parts = m["request"].split(" ")
    method, target = (parts[0], parts[1]) if len(parts) >= 2 else ("-", m["request"])
    try:
        when = datetime.strptime(m["time"], "%d/%b/%Y:%H:%M:%S %z")
    except ValueError as exc:
        raise InputError(f"bad time {m['time']!r} (expected 10/Oct/2000:13:55:36 -0700)") from exc
    req = HttpRequest(
        client=m["client"],
        method=method,
        target=target,
        status=int(m["status"]),
        user_agent=m["agent"] or "",
        referrer=m["referrer"] or "",
        bytes_sent=0 if m["bytes"] == "-" else int(m["bytes"]),
    )
    return req, when
