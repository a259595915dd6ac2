"""E-mail at a gateway: the event for one SMTP transaction, and the feedback-token header."""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal

from aupguard.events.model import Event
from aupguard.events.sources import email_event
from aupguard.gateways.answer import Answer, Origin
from aupguard.gateways.replies import FEEDBACK_HEADER, SmtpReply, smtp_reply
from aupguard.gateways.tenantmap import Mapping, TenantMap, domain_of

if TYPE_CHECKING:
    from aupguard.gateways.factory import Gateway

MAX_HEAD = 256 * 1024
_HEAD_END = re.compile(rb"\r?\n\r?\n")


def split_head(raw: bytes) -> tuple[bytes, bytes]:
    """(header section with its final line break, the rest from the blank line on)."""
    m = _HEAD_END.search(raw, 0, MAX_HEAD)
    if m is None:
        return raw, b""
    cut = m.start() + (2 if raw[m.start() : m.start() + 2] == b"\r\n" else 1)
    return raw[:cut], raw[cut:]


_FROM = re.compile(rb"^From:[ \t]*([^\r\n]*(?:\r?\n[ \t][^\r\n]*)*)", re.MULTILINE | re.IGNORECASE)


def header_from(raw: bytes) -> str | None:
    """The first From field of the header section, unfolded (a scan, not a MIME parse: this
    runs on every message before the engine parses it properly)."""
    head, _ = split_head(raw)
    m = _FROM.search(head)
    if m is None:
        return None
    return " ".join(m.group(1).decode("utf-8", "replace").split())


def mail_event(
    raw: bytes,
    *,
    gateway: str,
    transaction: str,
    mail_from: str | None,
    rcpt_to: tuple[str, ...],
    helo: str | None = None,
    client_ip: str | None = None,
    auth_user: str | None = None,
    tenants: TenantMap | None = None,
) -> tuple[Event, Mapping]:
    """The event for one message, its tenant mapped, its time now (not the Date header).

    The id joins the transaction (MTA queue id or a relay nonce) and the content digest, so a
    deferred message that the client retries is decided afresh, not replayed as deferred.
    """
    from_value = header_from(raw)
    mapping = (
        tenants.for_mail(
            auth_user=auth_user, header_from=from_value, mail_from=mail_from, client_ip=client_ip
        )
        if tenants is not None
        else Mapping(None, "none")
    )
    event = email_event(
        raw,
        gateway,
        mail_from=mail_from,
        rcpt_to=rcpt_to,
        helo=helo,
        client_ip=client_ip,
        auth_user=auth_user,
    )
    digest = hashlib.sha256(raw).hexdigest()[:16]
    event = replace(
        event,
        id=f"{gateway}:{transaction}:{digest}",
        tenant=mapping.tenant,
        time=datetime.now(UTC),
        sender=domain_of(from_value) or domain_of(mail_from) or None,
        recipients=rcpt_to,
    )
    return event, mapping


def stamp_token(raw: bytes, token: str | None) -> bytes:
    """The message with our feedback-token header first and any copy the sender forged gone."""
    head, body = split_head(raw)
    kept: list[bytes] = []
    dropping = False
    for line in head.splitlines(keepends=True):
        if line[:1] in (b" ", b"\t") and dropping:
            continue  # a folded continuation of a dropped field
        dropping = line.lower().startswith(FEEDBACK_HEADER.lower().encode() + b":")
        if not dropping:
            kept.append(line)
    eol = b"\r\n" if b"\r\n" in head[:1000] else b"\n"
    stamp = f"{FEEDBACK_HEADER}: {token}".encode("ascii") + eol if token else b""
    return stamp + b"".join(kept) + body


@dataclass(frozen=True, slots=True)
class MailOutcome:
    answer: Answer
    reply: SmtpReply
    event: Event
    mapping: Mapping


class MailGate:
    """One SMTP transaction to one answer, the same for the milter and the relay.

    `unmapped` says what happens to mail no tenant owns: `check` decides it on content alone,
    `defer` and `reject` refuse it (temporarily, permanently).
    """

    def __init__(
        self, gateway: Gateway, name: str, unmapped: Literal["check", "defer", "reject"] = "check"
    ) -> None:
        if unmapped not in ("check", "defer", "reject"):
            raise ValueError(f"unmapped must be check, defer or reject, not {unmapped!r}")
        self.gateway = gateway
        self.name = name
        self.unmapped = unmapped

    def judge(
        self,
        raw: bytes,
        *,
        transaction: str,
        mail_from: str | None,
        rcpt_to: tuple[str, ...],
        helo: str | None = None,
        client_ip: str | None = None,
        auth_user: str | None = None,
    ) -> MailOutcome:
        started = time.perf_counter()
        event, mapping = mail_event(
            raw,
            gateway=self.name,
            transaction=transaction,
            mail_from=mail_from,
            rcpt_to=rcpt_to,
            helo=helo,
            client_ip=client_ip,
            auth_user=auth_user,
            tenants=self.gateway.tenants,
        )
        if event.tenant is None and self.unmapped != "check":
            action = "block" if self.unmapped == "reject" else "defer"
            answer = Answer(action, "sender is not a tenant of this platform", Origin.UNMAPPED)
            self.gateway.metrics.decided(action, Origin.UNMAPPED, time.perf_counter() - started)
        else:
            answer = self.gateway.gate.check(event)
        return MailOutcome(answer, smtp_reply(answer), event, mapping)
