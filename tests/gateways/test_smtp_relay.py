"""`aupguard relay` in its own process, with STARTTLS and AUTH, driven by Python's smtplib."""

from __future__ import annotations

import smtplib
import ssl
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aupguard.cli.main import app
from aupguard.detectors.eicar import EICAR
from aupguard.gateways.quarantine import Quarantine
from aupguard.store.db import Store
from tests.gateways.helpers import (
    GTUBE_TEXT,
    Sink,
    act,
    add_tenant,
    audit_trail,
    message,
    rules_file,
    self_signed,
)
from tests.gateways.procs import GatewayProcess, start_relay

PASSWORD = "correct horse battery staple"


@dataclass
class Relay:
    proc: GatewayProcess
    sink: Sink
    quarantine: Path
    cert: Path
    db: str

    def client(self, login: str | None = None) -> smtplib.SMTP:
        client = smtplib.SMTP("127.0.0.1", self.proc.port, timeout=30)
        client.ehlo("client.aupguard.test")
        client.starttls(context=ssl.create_default_context(cafile=str(self.cert)))
        client.ehlo("client.aupguard.test")
        if login:
            client.login(login, PASSWORD)
        return client

    def send(self, login: str, raw: bytes, mail_from: str) -> tuple[int, str]:
        with self.client(login) as client:
            client.mail(mail_from)
            client.rcpt("dest@example.org")
            code, resp = client.data(raw)
            return code, resp.decode()


@pytest.fixture(scope="session")
def relay(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Relay]:
    tmp = tmp_path_factory.mktemp("relay")
    db = f"sqlite:///{tmp / 'aupguard.db'}"
    store = Store(db)
    users = tmp / "users"
    runner = CliRunner()
    for tenant in ("acme", "virus", "gone", "slow", "promo"):
        add_tenant(store, tenant, f"{tenant}.example", smtp_user=f"{tenant}-mailer")
        done = runner.invoke(
            app,
            ["relay-passwd", str(users), f"{tenant}-mailer", "--password-stdin"],
            input=PASSWORD + "\n",
        )
        assert done.exit_code == 0, done.output
    act(store, "gone", "suspend")
    act(store, "slow", "restrict", "throttle")
    store.dispose()
    cert, key = self_signed(tmp)
    sink = Sink()
    folder = tmp / "quarantine"
    proc = start_relay(
        db,
        tmp,
        sink.port,
        *("--rules", str(rules_file(tmp)), "--quarantine-dir", str(folder)),
        *("--throttle-rate", "0.001", "--throttle-burst", "2"),
        *("--tls-cert", str(cert), "--tls-key", str(key), "--require-starttls"),
        *("--users", str(users), "--auth-required"),
    )
    yield Relay(proc, sink, folder, cert, db)
    proc.stop()
    sink.stop()


def test_starttls_and_auth_are_required(relay: Relay) -> None:
    with smtplib.SMTP("127.0.0.1", relay.proc.port, timeout=30) as plain:
        plain.ehlo("x")
        code, _ = plain.mail("news@acme.example")
        assert code == 530  # STARTTLS first
    with relay.client() as client:
        code, _ = client.mail("news@acme.example")
        assert code == 530  # AUTH first
        with pytest.raises(smtplib.SMTPAuthenticationError):
            client.login("acme-mailer", "wrong password")


def test_clean_message_is_relayed_with_token(relay: Relay) -> None:
    raw = message("news@acme.example", "dest@example.org", "Relay: opening hours.")
    code, resp = relay.send("acme-mailer", raw, "news@acme.example")
    assert code == 250, resp
    got = [m for m in relay.sink.handler.wait_for(1) if b"Relay: opening hours" in m.data]
    assert got and got[0].rcpt_to == ["dest@example.org"]
    headers = message_from_bytes(got[0].data)
    assert headers["X-AUP-Feedback-Token"].startswith("agf1-")
    assert [k for k in headers if k.lower().startswith("x-aup")] == ["X-AUP-Feedback-Token"]


def test_eicar_is_rejected_with_case_reference(relay: Relay) -> None:
    raw = message("news@virus.example", "dest@example.org", "see file", attachment=EICAR)
    code, resp = relay.send("virus-mailer", raw, "news@virus.example")
    assert code == 550 and resp.startswith("5.7.1") and "AUP-" in resp, resp


def test_suspended_tenant_is_rejected_by_login(relay: Relay) -> None:
    # The login decides the tenant: a From domain of someone else does not escape suspension.
    raw = message("news@acme.example", "dest@example.org", "Harmless words.")
    code, resp = relay.send("gone-mailer", raw, "news@acme.example")
    assert code == 550 and resp.startswith("5.7.1") and "suspended" in resp, resp


def test_throttled_tenant_excess_is_deferred(relay: Relay) -> None:
    codes = []
    for i in range(4):
        raw = message("news@slow.example", "dest@example.org", f"Relay update {i}.")
        code, resp = relay.send("slow-mailer", raw, "news@slow.example")
        codes.append((code, resp.split(" ")[0]))
    assert codes == [(250, "2.0.0"), (250, "2.0.0"), (451, "4.7.1"), (451, "4.7.1")], codes


def test_held_message_is_quarantined_and_released(relay: Relay) -> None:
    raw = message("news@promo.example", "dest@example.org", f"Relay offer: {GTUBE_TEXT}")
    code, resp = relay.send("promo-mailer", raw, "news@promo.example")
    assert code == 250 and "held for review" in resp, resp
    entries = [e for e in Quarantine(relay.quarantine).entries() if e.tenant == "promo"]
    assert len(entries) == 1 and (relay.quarantine / f"{entries[0].id}.eml").exists()
    assert not [m for m in relay.sink.handler.messages if b"Relay offer" in m.data]
    release = ["quarantine", "release", entries[0].id, "--dir", str(relay.quarantine)]
    done = CliRunner().invoke(app, [*release, "--reviewer", "alice", "--db", relay.db])
    assert done.exit_code == 0, done.output
    end = time.monotonic() + 10
    while time.monotonic() < end and not [
        m for m in relay.sink.handler.messages if b"Relay offer" in m.data
    ]:
        time.sleep(0.05)
    got = [m for m in relay.sink.handler.messages if b"Relay offer" in m.data]
    assert got and message_from_bytes(got[0].data)["X-AUP-Feedback-Token"]
    again = CliRunner().invoke(app, [*release, "--db", relay.db])
    assert again.exit_code == 2 and "already released" in again.stderr
    trail = audit_trail(relay.db, f"quarantine:{entries[0].id}")
    assert trail == [("alice", "quarantine.release", "released", entries[0].event_id)]
