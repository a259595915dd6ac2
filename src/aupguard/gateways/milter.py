"""The milter for Postfix and Sendmail (pymilter over libmilter): accept, hold, defer or reject."""

from __future__ import annotations

import logging
import secrets
import socket
from datetime import UTC, datetime
from typing import Any

from aupguard.errors import ConfigError
from aupguard.gateways.mail import MailGate, MailOutcome
from aupguard.gateways.quarantine import Held, Quarantine, new_id
from aupguard.gateways.replies import FEEDBACK_HEADER

log = logging.getLogger(__name__)
MAX_MESSAGE = 50 * 1024 * 1024  # the event parser's own limit; the MTA's is usually lower

try:
    import Milter
except ImportError:  # pragma: no cover - exercised only where pymilter is missing
    Milter = None


def _require_pymilter() -> Any:
    if Milter is None:
        raise ConfigError(
            "the milter needs pymilter: apt-get install libmilter-dev, then "
            "pip install 'aupguard[milter]'"
        )
    return Milter


class MilterService:
    """What the milter instances share: the mail gate and where held mail is recorded."""

    def __init__(
        self,
        mail: MailGate,
        quarantine: Quarantine | None = None,
        postfix_config: str | None = None,
    ) -> None:
        self.mail = mail
        self.quarantine = quarantine
        self.postfix_config = postfix_config

    def record_hold(self, outcome: MailOutcome, queue_id: str | None) -> None:
        if self.quarantine is None:
            return
        event = outcome.event
        content = event.content
        mail_from = getattr(content, "mail_from", None) or ""
        try:
            self.quarantine.hold(
                Held(
                    id=new_id(),
                    held_at=datetime.now(UTC),
                    gateway=self.mail.name,
                    tenant=event.tenant,
                    event_id=event.id,
                    case_ref=outcome.answer.case_ref,
                    reason=outcome.answer.reason,
                    mail_from=mail_from,
                    rcpt_to=list(event.recipients),
                    size=len(getattr(content, "raw", b"")),
                    postfix_queue_id=queue_id,
                    postfix_config=self.postfix_config,
                ),
                None,
            )
        except OSError as exc:  # the message is safe in the MTA's HOLD queue either way
            log.error("cannot record held message %s: %s", queue_id, exc)
            self.mail.gateway.metrics.backend_failed("quarantine")


def milter_class(service: MilterService) -> type:
    """A pymilter class bound to `service` (libmilter creates one instance per connection)."""
    M = _require_pymilter()

    class AupMilter(M.Base):  # type: ignore[misc, name-defined]
        def __init__(self) -> None:
            self.client_ip: str | None = None
            self.helo: str | None = None
            self._reset()

        def _reset(self) -> None:
            self.mail_from: str | None = None
            self.auth_user: str | None = None
            self.rcpts: list[str] = []
            self.head: list[bytes] = []
            self.body_parts: list[bytes] = []
            self.size = 0
            self.forged = 0

        def connect(self, hostname: str, family: int, hostaddr: Any) -> int:
            if family in (socket.AF_INET, socket.AF_INET6) and hostaddr:
                self.client_ip = str(hostaddr[0])
            return int(M.CONTINUE)

        def hello(self, heloname: str) -> int:
            self.helo = heloname
            return int(M.CONTINUE)

        def envfrom(self, mailfrom: str, *params: str) -> int:
            self._reset()
            self.mail_from = mailfrom.strip().strip("<>")
            self.auth_user = self.getsymval("{auth_authen}") or None
            return int(M.CONTINUE)

        @M.noreply  # type: ignore[misc, untyped-decorator]
        def envrcpt(self, to: str, *params: str) -> int:
            self.rcpts.append(to.strip().strip("<>"))
            return int(M.CONTINUE)

        # Overriding `header` is what asks the MTA for headers at all (pymilter negotiates
        # away callbacks a class leaves alone); 'bytes' keeps values undecoded.
        @M.noreply  # type: ignore[misc, untyped-decorator]
        @M.decode("bytes")  # type: ignore[misc, untyped-decorator]
        def header(self, name: Any, value: bytes) -> int:
            fld = name.decode("latin-1") if isinstance(name, bytes) else str(name)
            if fld.lower() == FEEDBACK_HEADER.lower():
                self.forged += 1
            val = value.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
            self.head.append(fld.encode("latin-1") + b": " + val + b"\r\n")
            return int(M.CONTINUE)

        def data(self) -> int:
            # Asking for DATA (and answering it) matters for speed: without it Postfix sends
            # the DATA-stage macros alone, and over TCP its next packet then waits ~40 ms for
            # our delayed ACK (Nagle); with it, macros and command travel and are answered
            # together.
            return int(M.CONTINUE)

        def eoh(self) -> int:
            return int(M.CONTINUE)  # the same for the end-of-headers macros

        @M.noreply  # type: ignore[misc, untyped-decorator]
        def body(self, chunk: bytes) -> int:
            if self.size < MAX_MESSAGE:
                self.body_parts.append(chunk[: MAX_MESSAGE - self.size])
            self.size += len(chunk)
            return int(M.CONTINUE)

        def eom(self) -> int:
            raw = b"".join(self.head) + b"\r\n" + b"".join(self.body_parts)
            queue_id = self.getsymval("i") or None
            outcome = service.mail.judge(
                raw,
                transaction=queue_id or secrets.token_hex(6),
                mail_from=self.mail_from,
                rcpt_to=tuple(self.rcpts),
                helo=self.helo,
                client_ip=self.client_ip,
                auth_user=self.auth_user,
            )
            answer, reply = outcome.answer, outcome.reply
            if answer.action in ("allow", "hold"):
                for index in range(self.forged, 0, -1):  # a forged token must not survive
                    self.chgheader(FEEDBACK_HEADER, index, None)
                if answer.feedback_token:
                    self.addheader(FEEDBACK_HEADER, answer.feedback_token)
                if answer.action == "hold":
                    ref = f" ({answer.case_ref})" if answer.case_ref else ""
                    self.quarantine(f"aupguard: {answer.reason}{ref}".replace("%", "%%"))
                    service.record_hold(outcome, queue_id)
                return int(M.ACCEPT)
            self.setreply(str(reply.code), reply.enhanced, reply.text.replace("%", "%%"))
            return int(M.TEMPFAIL if reply.code < 500 else M.REJECT)

        def abort(self) -> int:
            self._reset()
            return int(M.CONTINUE)

        def close(self) -> int:
            return int(M.CONTINUE)

    return AupMilter


def run_milter(service: MilterService, socketspec: str, *, timeout: int = 600) -> None:
    """Serve until stopped; `socketspec` as Postfix writes it: inet:PORT@HOST or unix:/path."""
    M = _require_pymilter()
    cls = milter_class(service)
    M.factory = cls
    M.set_flags(M.ADDHDRS | M.CHGHDRS | M.QUARANTINE)
    if socketspec.startswith(("inet:", "inet6:")):
        # runmilter opens the socket itself; open it first so TCP_NODELAY can be set on it.
        import milter as libmilter  # type: ignore[import-not-found]

        opensocket = libmilter.opensocket

        def open_nodelay(rmsock: bool) -> Any:
            result = opensocket(rmsock)
            _tcp_nodelay(int(socketspec.split(":", 1)[1].split("@", 1)[0]))
            return result

        libmilter.opensocket = open_nodelay
    log.info("aupguard milter listening on %s", socketspec)
    M.runmilter("aupguard", socketspec, timeout)


def _tcp_nodelay(port: int) -> None:
    """Set TCP_NODELAY on libmilter's listening socket (accepted sockets inherit it on Linux).

    Without it, Postfix's small milter packets meet Nagle and delayed ACKs on loopback TCP
    and a transaction waits ~40 ms several times over (measured: ~100 ms per message).
    """
    import os

    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        try:
            probe = socket.socket(fileno=os.dup(fd))
        except OSError:
            continue
        try:
            if (
                probe.type == socket.SOCK_STREAM
                and probe.family in (socket.AF_INET, socket.AF_INET6)
                and probe.getsockname()[1] == port
            ):
                probe.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        finally:
            probe.close()
