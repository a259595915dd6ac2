"""Received header fields as hops: the hosts and address each one claims (RFC 5321 4.4)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from aupguard.events.email import EmailView

MAX_HOPS = 50  # a longer route is itself suspicious; the rest are not parsed
MAX_CHARS = 1_000  # per field, after unfolding
MEMO_KEY = "received.hops"

# Each pattern is anchored on a literal keyword and uses bounded, non-nested classes.
_FROM = re.compile(r"^\s*from\s+([^\s;()\[\]]{1,255})", re.IGNORECASE)
_BY = re.compile(r"\bby\s+([^\s;()\[\]]{1,255})", re.IGNORECASE)
_COMMENT = re.compile(r"\(([^()]{0,300})\)")
_IP = re.compile(r"\[(?:IPv6:)?([0-9A-Fa-f:.]{2,45})\]")
_NAME = re.compile(r"^([A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,10})\.?(?:\s|$)")


@dataclass(frozen=True, slots=True)
class ReceivedHop:
    """One Received field; index 0 is the topmost, the most recent hop."""

    index: int
    from_host: str  # the name the client gave in HELO/EHLO
    from_rdns: str  # the reverse-DNS name the receiver noted, when written
    from_ip: str  # the client address the receiver noted
    by_host: str  # the receiving server
    text: str  # the field unfolded, cut to MAX_CHARS

    @property
    def hosts(self) -> tuple[str, ...]:
        """Every host name this hop names, lower-case, without empties."""
        return tuple(h for h in (self.from_host, self.from_rdns, self.by_host) if h)


def parse_received(values: Sequence[str]) -> tuple[ReceivedHop, ...]:
    """Parse Received field values (top first); unparseable parts are left empty."""
    hops: list[ReceivedHop] = []
    for index, value in enumerate(values[:MAX_HOPS]):
        text = " ".join(value[: MAX_CHARS * 2].split())[:MAX_CHARS]
        head, _, _ = text.partition(";")
        # "by" inside a comment ("(qmail 1 invoked by uid 3)") names no server.
        by_at = _BY.search(_COMMENT.sub(lambda c: " " * len(c.group(0)), head))
        from_part = head[: by_at.start()] if by_at else head
        from_host = rdns = ip = ""
        m = _FROM.match(from_part)
        if m:
            from_host = m.group(1).strip(".").lower()
            comment = _COMMENT.search(from_part, m.end())
            if comment:
                name = _NAME.match(comment.group(1).strip())
                rdns = name.group(1).lower() if name else ""
        addr = _IP.search(from_part)
        if addr:
            ip = addr.group(1)
        elif _looks_like_ip(from_host):
            ip = from_host
        by_host = by_at.group(1).strip(".").lower() if by_at else ""
        hops.append(ReceivedHop(index, from_host, rdns, ip, by_host, text))
    return tuple(hops)


def _looks_like_ip(host: str) -> bool:
    return bool(host) and all(c.isdigit() or c == "." for c in host) and host.count(".") == 3


def hops_of(view: EmailView) -> tuple[ReceivedHop, ...]:
    """The message's Received hops, parsed once per event and shared via `view.memo`."""
    found = view.memo.get(MEMO_KEY)
    if isinstance(found, tuple):
        return found
    hops = parse_received(view.header_all("Received"))
    view.memo[MEMO_KEY] = hops
    return hops
