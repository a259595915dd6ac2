"""The abuse mailbox's SMTP listener (aiosmtpd): each message goes to the intake sink.

Limits: the message size (SMTP SIZE, 552 past it) and a rate per source IP (421 past it,
so the sender retries later; nothing is lost). Parsing runs in a worker thread so a
large report never stalls other sessions. Binds to loopback unless told otherwise: the
public MX in front of it relays to it.
"""

from __future__ import annotations

import asyncio
import ipaddress
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiosmtpd.controller import Controller

from aupguard.errors import ConfigError
from aupguard.reports.authenticate import warm_up
from aupguard.reports.intake import Authenticator, IntakeSink, take_in
from aupguard.reports.model import IntakeContext


@dataclass(frozen=True, slots=True)
class MailboxLimits:
    max_message_bytes: int = 10 * 1024 * 1024
    per_source_per_minute: int = 30


@dataclass
class RateLimiter:
    """At most `limit` events per key in any 60-second window (sliding, per key)."""

    limit: int
    clock: Callable[[], float] = time.monotonic
    window: float = 60.0
    _seen: dict[str, deque[float]] = field(default_factory=dict)

    def allow(self, key: str) -> bool:
        now = self.clock()
        if len(self._seen) > 10_000:  # forget idle sources so the table stays small
            self._seen = {k: q for k, q in self._seen.items() if q and now - q[-1] < self.window}
        stamps = self._seen.setdefault(key, deque())
        while stamps and now - stamps[0] >= self.window:
            stamps.popleft()
        if len(stamps) >= self.limit:
            return False
        stamps.append(now)
        return True


class MailboxHandler:
    """aiosmtpd handler: rate-limits MAIL per source IP, hands DATA to `take_in`."""

    def __init__(
        self,
        sink: IntakeSink,
        context_for: Callable[[str | None], IntakeContext],
        limits: MailboxLimits | None = None,
        authenticator: Authenticator | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.sink = sink
        self.context_for = context_for
        self.limits = limits or MailboxLimits()
        self.authenticator = authenticator
        self.rate = RateLimiter(self.limits.per_source_per_minute, clock)
        if authenticator is not None:
            warm_up()

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, mail_options: list[str]
    ) -> str:
        ip = _peer_ip(session)
        if not self.rate.allow(ip or "unknown"):
            return f"421 4.7.0 Too many reports from {ip}; try again in a minute"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        data = envelope.original_content or envelope.content
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        ctx = self.context_for(_peer_ip(session))
        loop = asyncio.get_running_loop()
        receipt = await loop.run_in_executor(
            None, take_in, data, ctx, self.sink, "mailbox", self.authenticator
        )
        if receipt.status == "rejected":
            detail = " ".join(receipt.detail.split())[:300]
            return f"550 5.6.0 Report rejected ({receipt.reference}): {detail}"
        return f"250 2.0.0 Report {receipt.status}, reference {receipt.reference}"


def start_listener(
    handler: MailboxHandler, host: str = "127.0.0.1", port: int = 8025, allow_remote: bool = False
) -> Controller:
    """Start the listener in its own thread; `controller.stop()` ends it."""
    if not allow_remote and not _is_loopback(host):
        raise ConfigError(f"abuse mailbox host {host!r} is not loopback; pass allow_remote=True")
    controller = Controller(
        handler,
        hostname=host,
        port=port,
        data_size_limit=handler.limits.max_message_bytes,
        ready_timeout=10,
    )
    controller.start()
    return controller


def _peer_ip(session: Any) -> str | None:
    peer = getattr(session, "peer", None)
    return str(peer[0]) if isinstance(peer, tuple) and peer else None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
