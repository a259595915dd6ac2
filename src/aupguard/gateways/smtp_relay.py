"""The SMTP relay (aiosmtpd) for sites without a milter-capable MTA: decide, relay or refuse."""

from __future__ import annotations

import asyncio
import logging
import secrets
import smtplib
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from aupguard.gateways.answer import Answer
from aupguard.gateways.mail import MailGate, stamp_token
from aupguard.gateways.quarantine import Held, Quarantine, new_id
from aupguard.gateways.relayauth import UserTable

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class NextHop:
    host: str
    port: int = 25
    timeout_s: float = 30.0

    @classmethod
    def parse(cls, spec: str) -> NextHop:
        host, _, port = spec.rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(f"next hop {spec!r} is not host:port")
        return cls(host.strip("[]"), int(port))

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


class NextHopError(Exception):
    def __init__(self, reply: str) -> None:
        super().__init__(reply)
        self.reply = reply


def deliver(mail_from: str, rcpts: tuple[str, ...], raw: bytes, hop: NextHop) -> None:
    """Hand the message to the next hop; raises NextHopError with the reply to give back."""
    try:
        with smtplib.SMTP(hop.host, hop.port, timeout=hop.timeout_s) as client:
            refused = client.sendmail(mail_from, list(rcpts), raw)
    except smtplib.SMTPRecipientsRefused as exc:
        code, text = next(iter(exc.recipients.values()))
        raise NextHopError(_relay_reply(code, text)) from None
    except smtplib.SMTPResponseException as exc:
        raise NextHopError(_relay_reply(exc.smtp_code, exc.smtp_error)) from None
    except (smtplib.SMTPException, OSError) as exc:
        log.warning("next hop %s unreachable: %s", hop, exc)
        raise NextHopError("451 4.4.1 Next hop unavailable, try again later") from None
    if refused:
        log.error(
            "next hop %s refused %d of %d recipients: %s", hop, len(refused), len(rcpts), refused
        )


def _relay_reply(code: int, text: bytes | str) -> str:
    permanent = code >= 500
    detail = text.decode("latin-1", "replace") if isinstance(text, bytes) else text
    detail = " ".join(detail.split())[:150]
    if permanent:
        return f"554 5.0.0 Next hop refused the message: {detail}"
    return f"451 4.4.0 Next hop deferred the message: {detail}"


class RelayHandler:
    """aiosmtpd handler: every DATA is decided, then relayed, held, deferred or refused."""

    def __init__(
        self,
        mail: MailGate,
        next_hop: NextHop,
        quarantine: Quarantine | None = None,
        users: UserTable | None = None,
    ) -> None:
        self.mail = mail
        self.next_hop = next_hop
        self.quarantine = quarantine
        self.users = users

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if self.users is None or not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login = auth_data.login.decode("utf-8", "replace")
        ok = self.users.verify(login, auth_data.password.decode("utf-8", "replace"))
        return AuthResult(success=ok, handled=False, auth_data=login if ok else None)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        loop = asyncio.get_running_loop()
        auth = session.auth_data if isinstance(session.auth_data, str) else None
        peer = session.peer[0] if isinstance(session.peer, tuple) else None
        return await loop.run_in_executor(
            None,
            self.process,
            bytes(envelope.original_content or envelope.content),
            envelope.mail_from or "",
            tuple(envelope.rcpt_tos),
            session.host_name,
            peer,
            auth,
        )

    def process(
        self,
        raw: bytes,
        mail_from: str,
        rcpts: tuple[str, ...],
        helo: str | None,
        client_ip: str | None,
        auth_user: str | None,
    ) -> str:
        outcome = self.mail.judge(
            raw,
            transaction=secrets.token_hex(6),
            mail_from=mail_from,
            rcpt_to=rcpts,
            helo=helo,
            client_ip=client_ip,
            auth_user=auth_user,
        )
        answer = outcome.answer
        if answer.action == "allow":
            try:
                deliver(mail_from, rcpts, stamp_token(raw, answer.feedback_token), self.next_hop)
            except NextHopError as exc:
                self.mail.gateway.metrics.backend_failed("next-hop")
                return exc.reply
            return "250 2.0.0 Ok: relayed"
        if answer.action == "hold":
            return self._hold(outcome.event.id, outcome.event.tenant, answer, raw, mail_from, rcpts)
        return outcome.reply.line

    def _hold(
        self,
        event_id: str,
        tenant: str | None,
        answer: Answer,
        raw: bytes,
        mail_from: str,
        rcpts: tuple[str, ...],
    ) -> str:
        if self.quarantine is None:  # nowhere to keep it: never accept what we cannot keep
            log.error("hold answered but the relay has no quarantine folder; deferring")
            return "451 4.7.0 Message cannot be checked now, try again later"
        entry = Held(
            id=new_id(),
            held_at=datetime.now(UTC),
            gateway=self.mail.name,
            tenant=tenant,
            event_id=event_id,
            case_ref=answer.case_ref,
            reason=answer.reason,
            mail_from=mail_from,
            rcpt_to=list(rcpts),
            size=len(raw),
            next_hop=str(self.next_hop),
        )
        try:
            self.quarantine.hold(entry, stamp_token(raw, answer.feedback_token))
        except OSError as exc:
            log.error("cannot write to quarantine: %s", exc)
            self.mail.gateway.metrics.backend_failed("quarantine")
            return "451 4.7.0 Message cannot be checked now, try again later"
        return "250 2.0.0 Accepted, held for review"


@dataclass(frozen=True, slots=True)
class RelayOptions:
    host: str = "127.0.0.1"
    port: int = 10025
    tls: ssl.SSLContext | None = None
    require_starttls: bool = False
    auth_required: bool = False
    max_bytes: int = 32 * 1024 * 1024
    server_hostname: str = "aupguard-relay"


def start_relay(handler: RelayHandler, options: RelayOptions) -> Controller:
    """Start listening (a thread with its own event loop); `stop()` the result to end."""
    controller = Controller(
        handler,
        hostname=options.host,
        port=options.port,
        server_hostname=options.server_hostname,
        tls_context=options.tls,
        require_starttls=options.require_starttls,
        auth_required=options.auth_required,
        # Passwords only over TLS, unless no TLS is configured at all (loopback set-ups).
        auth_require_tls=options.tls is not None,
        authenticator=handler.authenticate if handler.users is not None else None,
        data_size_limit=options.max_bytes,
        decode_data=False,
    )
    controller.start()
    return controller


def tls_context(cert: str, key: str) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    return ctx
