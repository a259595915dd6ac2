"""Builders for gateway tests: tenants with verified identities, a gate, an SMTP sink, messages."""

from __future__ import annotations

import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from aupguard.aup.load import load_document
from aupguard.detectors.base import Detector, Evidence, Finding, SignalSpec
from aupguard.detectors.context import Context
from aupguard.detectors.eicar import EICAR, EicarDetector
from aupguard.detectors.registry import Registry
from aupguard.enforce.actions import ActionRequest, take
from aupguard.enforce.dnsproof import expected_token
from aupguard.enforce.identities import IdentityKind
from aupguard.enforce.tenants import Proof, add_identity, create_tenant, verify_identity
from aupguard.engine import Engine
from aupguard.events.views import Views
from aupguard.gateways.factory import Gateway, GatewaySetup, build_gateway
from aupguard.rules.load import load_ruleset
from aupguard.rules.model import Ruleset
from aupguard.settings import Settings
from aupguard.store.db import Store
from tests.servers import free_port

EICAR_TEXT = EICAR.decode()
TOKEN_KEY = b"k" * 32


class Slow(Detector):
    """Sleeps when the text asks it to: stands in for an engine that misses its deadline."""

    name = "slow"
    description = "Test detector that sleeps on 'sleepy'."
    signals = (SignalSpec("SLOW", "never emitted"),)

    def check(self, view: Views, ctx: Context) -> Sequence[Finding]:
        if "sleepy" in view.tenant_text:
            time.sleep(1.5)
        return []


class Review(Detector):
    """A statistical detector: 'lottery' looks like phishing, which alone holds for review."""

    name = "review_model"
    description = "Test stand-in for a trained model."
    signals = (SignalSpec("MODEL_PHISH", "a statistical phishing score"),)

    def check(self, view: Views, ctx: Context) -> Sequence[Finding]:
        if "lottery" in view.tenant_text:
            return [self.signal("MODEL_PHISH", 0.7, Evidence("text", "lottery"))]
        return []


def ruleset_with_review() -> Ruleset:
    """The shipped ruleset plus MODEL_PHISH under phishing (its 0.7 strength: hold)."""
    data = load_ruleset().model_dump(mode="json")
    data["clauses"]["phishing"]["signals"] = {"MODEL_PHISH": 1.0}
    return Ruleset.model_validate(data)


def rules_file(tmp: Path) -> Path:
    """The shipped rules with GTUBE weighted to hold (0.7), for gateways started from the CLI."""
    import yaml

    from aupguard.rules.load import DEFAULT_PATH

    data = yaml.safe_load(DEFAULT_PATH.read_text())
    data["clauses"]["message-abuse"]["signals"]["GTUBE"] = 0.7
    path = tmp / "rules.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


GTUBE_TEXT = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"


def gateway(db_url: str, tmp: Path, *, redis_url: str | None = None, **setup: Any) -> Gateway:
    rs = ruleset_with_review()
    engine = Engine(rs, load_document(), Registry([EicarDetector, Review, Slow]))
    settings = Settings(home=tmp / "home")
    spec = GatewaySetup(
        name=setup.pop("name", "test"),
        db_url=db_url,
        redis_url=redis_url,
        settings=settings,
        **setup,
    )
    return build_gateway(spec, ruleset=rs, engine=engine)


def add_tenant(store: Store, tenant: str, domain: str, smtp_user: str | None = None) -> None:
    """A tenant with a verified domain (DNS proof fed offline) and an optional SMTP login."""
    with store.write() as s:
        create_tenant(s, tenant, tenant.title(), actor="test", contact_email=f"abuse@{domain}")
        row = add_identity(s, tenant, IdentityKind.DOMAIN, domain, actor="test")
        token = expected_token(TOKEN_KEY, tenant, domain)
        proof = Proof(txt_lookup=lambda name: [token], token_key=TOKEN_KEY)
        verify_identity(s, row.id, proof, actor="test")
        if smtp_user:
            login = add_identity(s, tenant, IdentityKind.SMTP_USER, smtp_user, actor="test")
            verify_identity(s, login.id, Proof(record="provisioned"), actor="test")


def act(store: Store, tenant: str, kind: str, restriction: str | None = None, **kw: Any) -> None:
    """A reviewer's action, committed (status version bumped in the same transaction)."""
    with store.write() as s:
        take(
            s,
            ActionRequest(
                tenant, kind, "reviewer:test", f"test {kind}", False, restriction=restriction, **kw
            ),
            load_document(),
            datetime.now(UTC),
            Settings(home=Path(tempfile.gettempdir()) / "aupguard-gateway-tests"),
        )


def audit_trail(db_url: str, subject: str) -> list[tuple[str, str, str, str]]:
    """(actor, kind, outcome, event id) of the audit entries about `subject`, chain verified."""
    from sqlalchemy import select

    from aupguard.audit.chain import entry_hash
    from aupguard.store.models import AuditEntry

    store = Store(db_url, migrate=False)
    try:
        with store.read() as s:
            rows = list(s.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars())
    finally:
        store.dispose()
    for prev, row in zip([None, *rows], rows, strict=False):
        assert row.prev_hash == (prev.hash if prev else "0" * 64)
        assert row.hash == entry_hash(
            row.prev_hash, row.seq, row.time, row.actor, row.kind, row.subject, row.data
        )
    return [
        (r.actor, r.kind, r.data["outcome"], r.data["event_id"])
        for r in rows
        if r.subject == subject
    ]


def message(
    sender: str, to: str, body: str, subject: str = "Hello", attachment: bytes | None = None
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
    msg.set_content(body)
    if attachment is not None:
        msg.add_attachment(
            attachment, maintype="application", subtype="octet-stream", filename="file.com"
        )
    return msg.as_bytes().replace(b"\n", b"\r\n")


@dataclass
class Received:
    mail_from: str
    rcpt_to: list[str]
    data: bytes


@dataclass
class SinkHandler:
    messages: list[Received] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.arrived:
            self.messages.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content)
            )
            self.arrived.notify_all()
        return "250 2.0.0 Ok: sunk"

    def wait_for(self, count: int, timeout: float = 20.0) -> list[Received]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.messages) >= count, timeout)
            return list(self.messages)


class Sink:
    """A local SMTP server that keeps what it is sent (the 'internet' behind the gateway)."""

    def __init__(self) -> None:
        self.handler = SinkHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


def self_signed(tmp: Path) -> tuple[Path, Path]:
    """A throw-away certificate for 127.0.0.1/localhost, made with `cryptography`."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp / "cert.pem", tmp / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path
