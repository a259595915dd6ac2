"""The Event record and the typed content each channel carries."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import UTC, datetime


class Channel(enum.StrEnum):
    """Where an event travelled; decides which normalizer builds its views."""

    EMAIL = "email"
    SMS = "sms"
    CHAT = "chat"
    VOICE = "voice"  # a transcript of a call, turn by turn
    CALL = "call"  # a call-detail record
    FLOW = "flow"  # a network flow record
    HTTP = "http"  # one HTTP request log line
    AUTH = "auth"  # an authentication attempt
    FILE = "file"  # a bare file handed to `aupguard scan`


class Direction(enum.StrEnum):
    OUTBOUND = "outbound"  # sent by the tenant: what the AUP governs
    INBOUND = "inbound"  # received by the tenant (replies, opt-outs, reports)


class Role(enum.StrEnum):
    """Who produced a piece of text; only the tenant's own roles count as its speech."""

    BODY = "body"
    SUBJECT = "subject"
    HTML = "html"
    ATTACHMENT = "attachment"
    AGENT = "agent"
    CUSTOMER = "customer"
    BOT = "bot"
    SYSTEM = "system"

    @property
    def is_tenant_speech(self) -> bool:
        return self is not Role.CUSTOMER


@dataclass(frozen=True, slots=True)
class Turn:
    """One utterance in a chat or a voice transcript."""

    role: Role
    text: str
    speaker: str | None = None
    offset_ms: int | None = None


@dataclass(frozen=True, slots=True)
class EmailContent:
    raw: bytes
    mail_from: str | None = None  # SMTP envelope sender
    rcpt_to: tuple[str, ...] = ()
    helo: str | None = None
    client_ip: str | None = None
    auth_user: str | None = None


@dataclass(frozen=True, slots=True)
class MessageContent:
    """SMS or a single chat message."""

    text: str
    sender_id: str | None = None  # number, short code or alphanumeric sender ID
    recipient: str | None = None


@dataclass(frozen=True, slots=True)
class TranscriptContent:
    """A chat conversation or voice-call transcript with speaker roles."""

    turns: tuple[Turn, ...]
    caller: str | None = None
    callee: str | None = None


@dataclass(frozen=True, slots=True)
class CallRecord:
    caller: str
    callee: str
    start: datetime
    duration_s: float = 0.0
    answered: bool = False
    direction: Direction = Direction.OUTBOUND
    attestation: str | None = None  # STIR/SHAKEN A, B or C
    sip_code: int | None = None


@dataclass(frozen=True, slots=True)
class Flow:
    src: str
    dst: str
    src_port: int
    dst_port: int
    proto: str = "tcp"
    flags: str = ""
    bytes_out: int = 0
    bytes_in: int = 0
    packets: int = 0
    state: str = ""  # e.g. Zeek conn_state: S0, REJ, SF ...


@dataclass(frozen=True, slots=True)
class HttpRequest:
    client: str
    method: str
    target: str  # host + path + query as logged
    status: int
    user_agent: str = ""
    referrer: str = ""
    bytes_sent: int = 0
    host: str = ""


@dataclass(frozen=True, slots=True)
class AuthAttempt:
    client: str
    target: str  # service or host authenticated against
    username: str
    success: bool
    method: str = "password"


@dataclass(frozen=True, slots=True)
class FileContent:
    name: str
    data: bytes


Content = (
    EmailContent
    | MessageContent
    | TranscriptContent
    | CallRecord
    | Flow
    | HttpRequest
    | AuthAttempt
    | FileContent
)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Event:
    """One thing to judge. `id` is the idempotency key: a redelivered id changes nothing."""

    id: str
    channel: Channel
    content: Content
    time: datetime = field(default_factory=utc_now)
    tenant: str | None = None
    workload: str | None = None
    direction: Direction = Direction.OUTBOUND
    sender: str | None = None
    recipients: tuple[str, ...] = ()
    agent: str | None = None
    campaign: str | None = None
    source: str = ""  # where it was read from: file path, plus index for mbox/JSONL
