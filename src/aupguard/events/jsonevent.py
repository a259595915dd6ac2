"""JSON events: the documented schema, defaults for everything but the channel (docs/events.md)."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from aupguard.errors import EventSchemaError
from aupguard.events.accesslog import parse_access_line
from aupguard.events.model import (
    AuthAttempt,
    CallRecord,
    Channel,
    Content,
    Direction,
    EmailContent,
    Event,
    Flow,
    HttpRequest,
    MessageContent,
    Role,
    TranscriptContent,
    Turn,
)


class TurnIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Role
    text: str
    speaker: str | None = None
    offset_ms: int | None = None


class EventIn(BaseModel):
    """Every field a JSON event may carry; only `channel` is required."""

    model_config = ConfigDict(extra="forbid")
    channel: Channel
    id: str | None = None
    tenant: str | None = None
    workload: str | None = None
    direction: Direction = Direction.OUTBOUND
    time: datetime | None = None
    sender: str | None = None
    recipients: list[str] = Field(default_factory=list)
    recipient: str | None = None
    agent: str | None = None
    campaign: str | None = None
    # e-mail
    raw: str | None = None
    raw_base64: str | None = None
    mail_from: str | None = None
    helo: str | None = None
    client_ip: str | None = None
    auth_user: str | None = None
    # sms / chat / voice
    text: str | None = None
    sender_id: str | None = None
    turns: list[TurnIn] | None = None
    # calls
    caller: str | None = None
    callee: str | None = None
    duration: float = 0.0
    answered: bool = False
    attestation: Literal["A", "B", "C"] | None = None
    sip_code: int | None = None
    # flows
    src: str | None = None
    dst: str | None = None
    src_port: int = 0
    dst_port: int = 0
    proto: str = "tcp"
    flags: str = ""
    bytes_out: int = 0
    bytes_in: int = 0
    packets: int = 0
    state: str = ""
    # http
    line: str | None = None
    client: str | None = None
    method: str = "GET"
    target: str | None = None
    status: int = 0
    user_agent: str = ""
    referrer: str = ""
    host: str = ""
    # auth
    username: str | None = None
    success: bool = False


def _require(ev: EventIn, *names: str) -> None:
    missing = [n for n in names if getattr(ev, n) in (None, "")]
    if missing:
        raise EventSchemaError(f"channel {ev.channel.value!r} needs field(s) {', '.join(missing)}")


def _content(ev: EventIn, when: datetime) -> Content:
    ch = ev.channel
    if ch is Channel.EMAIL:
        if ev.raw_base64:
            try:
                raw = base64.b64decode(ev.raw_base64, validate=False)
            except ValueError:  # binascii.Error, and non-ASCII text
                raise EventSchemaError("field 'raw_base64' is not valid base64") from None
        elif ev.raw is not None:
            raw = ev.raw.encode("utf-8", "surrogateescape")
        else:
            raise EventSchemaError("channel 'email' needs field 'raw' or 'raw_base64'")
        rcpts = tuple(ev.recipients) + ((ev.recipient,) if ev.recipient else ())
        return EmailContent(raw, ev.mail_from, rcpts, ev.helo, ev.client_ip, ev.auth_user)
    if ch in (Channel.CHAT, Channel.VOICE) and ev.turns is not None:
        turns = tuple(Turn(t.role, t.text, t.speaker, t.offset_ms) for t in ev.turns)
        return TranscriptContent(turns, ev.caller, ev.callee)
    if ch in (Channel.SMS, Channel.CHAT, Channel.VOICE):
        _require(ev, "text")
        assert ev.text is not None
        return MessageContent(ev.text, ev.sender_id or ev.sender, ev.recipient)
    if ch is Channel.CALL:
        _require(ev, "caller", "callee")
        assert ev.caller and ev.callee
        return CallRecord(
            ev.caller,
            ev.callee,
            when,
            ev.duration,
            ev.answered,
            ev.direction,
            ev.attestation,
            ev.sip_code,
        )
    if ch is Channel.FLOW:
        _require(ev, "src", "dst")
        assert ev.src and ev.dst
        return Flow(
            ev.src,
            ev.dst,
            ev.src_port,
            ev.dst_port,
            ev.proto,
            ev.flags,
            ev.bytes_out,
            ev.bytes_in,
            ev.packets,
            ev.state,
        )
    if ch is Channel.HTTP:
        if ev.line:
            req, _ = parse_access_line(ev.line)
            return req
        _require(ev, "client", "target")
        assert ev.client and ev.target
        return HttpRequest(
            ev.client, ev.method, ev.target, ev.status, ev.user_agent, ev.referrer, 0, ev.host
        )
    if ch is Channel.AUTH:
        _require(ev, "client", "target", "username")
        assert ev.client and ev.target and ev.username
        return AuthAttempt(ev.client, ev.target, ev.username, ev.success)
    raise EventSchemaError(f"channel {ch.value!r} cannot be given as JSON; scan the file instead")


def event_from_json(obj: Any, source: str = "") -> Event:
    """A JSON object (already decoded) to an Event; errors name the field."""
    if not isinstance(obj, dict):
        raise EventSchemaError(f"expected a JSON object, got {type(obj).__name__}", source)
    try:
        ev = EventIn.model_validate(obj)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "event"
        raise EventSchemaError(f"field {where!r}: {first['msg']}", source) from None
    when = ev.time or datetime.now(UTC)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    try:
        content = _content(ev, when)
    except EventSchemaError as exc:
        raise EventSchemaError(exc.reason, source) from None
    if ev.channel is Channel.HTTP and ev.line and ev.time is None:
        when = parse_access_line(ev.line)[1]
    event_id = (
        ev.id
        or "sha256:"
        + hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()[:32]
    )
    recipients = tuple(ev.recipients) + ((ev.recipient,) if ev.recipient else ())
    return Event(
        id=event_id,
        channel=ev.channel,
        content=content,
        time=when,
        tenant=ev.tenant,
        workload=ev.workload,
        direction=ev.direction,
        sender=ev.sender or ev.sender_id,
        recipients=recipients,
        agent=ev.agent,
        campaign=ev.campaign,
        source=source,
    )
