"""Two tenants with verified identities, and builders for their mail, SMS, calls and flows."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from aupguard.aup.load import load_document
from aupguard.detectors.context import Context
from aupguard.enforce.identities import Identity, IdentityKind, IdentitySnapshot
from aupguard.engine import Engine
from aupguard.events.model import (
    CallRecord,
    Channel,
    Direction,
    EmailContent,
    Event,
    Flow,
    MessageContent,
)
from aupguard.rules.load import load_ruleset
from aupguard.rules.model import Action, Ruleset
from aupguard.rules.verdict import Verdict

K = IdentityKind
IDENTITIES = [
    Identity("acme", K.DOMAIN, "acme.example", True),
    Identity("acme", K.ALIAS, "acme-alias.example", True),
    Identity("acme", K.REMAILER, "anon.example", True),
    Identity("acme", K.NUMBER, "+1 555 010 0001", True),
    Identity("acme", K.SENDER_ID, "ACME", True),
    Identity("acme", K.IP_RANGE, "198.51.100.0/24", True),
    Identity("acme", K.IP_RANGE, "192.0.2.0/25", True, workload="web"),
    Identity("acme", K.BRAND, "Acme Rockets", True),
    Identity("globex", K.DOMAIN, "globex.example", True),
    Identity("globex", K.NUMBER, "+1 555 010 0002", True),
    Identity("globex", K.SENDER_ID, "GLOBEX", True),
    Identity("globex", K.IP_RANGE, "203.0.113.0/24", True),
    Identity("globex", K.BRAND, "Globex", True),
    Identity("initech", K.DOMAIN, "initech.example", False),  # never verified: owns nothing
]
DIRECTORY = IdentitySnapshot(IDENTITIES)
CTX = Context(directory=DIRECTORY)
WHEN = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)


def engine(without_exceptions: bool = False) -> Engine:
    document = load_document()
    ruleset = load_ruleset(None, document)
    if without_exceptions:
        ruleset = Ruleset.model_validate({**ruleset.model_dump(), "exceptions": []})
    return Engine(ruleset, document)


def mail(
    from_: str = "Acme Rockets <news@acme.example>",
    *,
    tenant: str | None = "acme",
    mail_from: str | None = "bounce@acme.example",
    helo: str | None = "out1.acme.example",
    message_id: str = "<1@acme.example>",
    received: tuple[str, ...] = (),
    extra: str = "",
) -> Event:
    head = "".join(f"Received: {r}\r\n" for r in received)
    raw = (
        f"{head}From: {from_}\r\nTo: c@customer.example\r\nSubject: Hello\r\n"
        f"Message-ID: {message_id}\r\nDate: Mon, 2 Nov 2026 12:00:00 +0000\r\n{extra}\r\nHi\r\n"
    )
    content = EmailContent(raw.encode(), mail_from=mail_from, helo=helo, client_ip="198.51.100.7")
    return Event("m", Channel.EMAIL, content, WHEN, tenant=tenant)


def sms(sender_id: str, tenant: str | None = "acme") -> Event:
    content = MessageContent("Your order shipped", sender_id=sender_id, recipient="+15550109999")
    return Event("s", Channel.SMS, content, WHEN, tenant=tenant)


def call(caller: str, attestation: str | None = None, tenant: str | None = "acme") -> Event:
    record = CallRecord(caller, "+15550109999", WHEN, 30.0, True, Direction.OUTBOUND, attestation)
    return Event("c", Channel.CALL, record, WHEN, tenant=tenant)


def flow(src: str, tenant: str | None = "acme", workload: str | None = None) -> Event:
    record = Flow(src, "192.0.2.200", 40000, 443)
    return Event(f"f-{src}", Channel.FLOW, record, WHEN, tenant=tenant, workload=workload)


def origin(verdict: Verdict) -> tuple[Action, set[str]]:
    """The origin-forgery clause's action and the signal names that counted for it."""
    clause = next(c for c in verdict.clauses if c.clause == "origin-forgery")
    return clause.action, {name for name, _ in clause.contributors}


def signal_names(verdict: Verdict) -> set[str]:
    return {s.name for s in verdict.signals}


HERE = Path(__file__).parent
