"""A real Postfix (Debian's package, a private instance on loopback) with `aupguard milter`."""

from __future__ import annotations

import smtplib
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
)
from tests.gateways.postfix import PostfixInstance, require_postfix
from tests.gateways.procs import GatewayProcess, start_milter

pytestmark = pytest.mark.postfix


@dataclass
class Mta:
    postfix: PostfixInstance
    milter: GatewayProcess
    sink: Sink
    quarantine: Path
    db: str


def send(port: int, raw: bytes, mail_from: str, rcpt: str = "dest@example.org") -> tuple[int, str]:
    """One SMTP transaction; the reply to the end of DATA (or to MAIL/RCPT if refused there)."""
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        client.ehlo("client.aupguard.test")
        code, resp = client.mail(mail_from)
        if code != 250:
            return code, resp.decode()
        code, resp = client.rcpt(rcpt)
        if code != 250:
            return code, resp.decode()
        code, resp = client.data(raw)
        return code, resp.decode()


@pytest.fixture(scope="session")
def mta(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mta]:
    require_postfix()
    tmp = tmp_path_factory.mktemp("postfix-milter")
    db = f"sqlite:///{tmp / 'aupguard.db'}"
    store = Store(db)
    for tenant in ("acme", "virus", "gone", "slow", "promo"):
        add_tenant(store, tenant, f"{tenant}.example")
    act(store, "gone", "suspend")
    act(store, "slow", "restrict", "throttle")
    store.dispose()
    sink = Sink()
    folder = tmp / "quarantine"
    postfix = PostfixInstance(sink.port, milter_port=None)  # port known once the milter runs
    milter = start_milter(
        db,
        tmp,
        "--rules",
        str(rules_file(tmp)),
        "--throttle-rate",
        "0.001",
        "--throttle-burst",
        "2",
        "--quarantine-dir",
        str(folder),
        "--postfix-config",
        str(postfix.etc),
    )
    main_cf = postfix.etc / "main.cf"
    main_cf.write_text(
        main_cf.read_text().replace(
            "smtpd_milters = \n", f"smtpd_milters = inet:127.0.0.1:{milter.port}\n"
        )
    )
    try:
        postfix.start()
    except Exception:
        milter.stop()
        sink.stop()
        raise
    yield Mta(postfix, milter, sink, folder, db)
    postfix.stop()
    milter.stop()
    sink.stop()


def test_clean_message_is_delivered_with_token_only(mta: Mta) -> None:
    raw = message("news@acme.example", "dest@example.org", "Our opening hours change on Monday.")
    code, resp = send(mta.postfix.smtp_port, raw, "news@acme.example")
    assert code == 250, resp
    got = mta.sink.handler.wait_for(1)
    delivered = [m for m in got if b"opening hours" in m.data]
    assert delivered, mta.postfix.log()
    headers = message_from_bytes(delivered[0].data)
    token = headers["X-AUP-Feedback-Token"]
    assert token and token.startswith("agf1-")
    # Nothing that reveals scores, signals or clauses travels with the message.
    aup = [k for k in headers if k.lower().startswith("x-aup")]
    assert aup == ["X-AUP-Feedback-Token"]


def test_forged_token_is_replaced(mta: Mta) -> None:
    raw = message("news@acme.example", "dest@example.org", "Forged token inside.")
    raw = b"X-AUP-Feedback-Token: agf1-forged-token\r\n" + raw
    code, _ = send(mta.postfix.smtp_port, raw, "news@acme.example")
    assert code == 250
    end = time.monotonic() + 20
    while time.monotonic() < end:
        hits = [m for m in mta.sink.handler.messages if b"Forged token inside" in m.data]
        if hits:
            break
        time.sleep(0.1)
    tokens = message_from_bytes(hits[0].data).get_all("X-AUP-Feedback-Token")
    assert tokens and len(tokens) == 1 and "forged" not in tokens[0]


def test_eicar_is_rejected_with_case_reference(mta: Mta) -> None:
    raw = message("news@virus.example", "dest@example.org", "see file", attachment=EICAR)
    code, resp = send(mta.postfix.smtp_port, raw, "news@virus.example")
    assert code == 550 and resp.startswith("5.7.1"), resp
    assert "AUP-" in resp and "malware" in resp and "EICAR" not in resp


def test_suspended_tenant_is_rejected(mta: Mta) -> None:
    raw = message("news@gone.example", "dest@example.org", "Harmless words.")
    code, resp = send(mta.postfix.smtp_port, raw, "news@gone.example")
    assert code == 550 and resp.startswith("5.7.1") and "suspended" in resp, resp


def test_throttled_tenant_excess_is_deferred(mta: Mta) -> None:
    codes = []
    for i in range(4):
        raw = message("news@slow.example", "dest@example.org", f"Update number {i}.")
        code, resp = send(mta.postfix.smtp_port, raw, "news@slow.example")
        codes.append((code, resp.split(" ")[0]))
    assert codes[:2] == [(250, "2.0.0"), (250, "2.0.0")], codes
    assert codes[2:] == [(451, "4.7.1"), (451, "4.7.1")], codes


def test_held_message_quarantined_and_released(mta: Mta) -> None:
    raw = message("news@promo.example", "dest@example.org", f"Offer: {GTUBE_TEXT}")
    code, resp = send(mta.postfix.smtp_port, raw, "news@promo.example")
    assert code == 250, resp  # accepted into Postfix's HOLD queue, not delivered
    queue_id = resp.rsplit(" ", 1)[-1]
    held = [q for q in mta.postfix.queue() if q["queue_id"] == queue_id]
    assert held and held[0]["queue_name"] == "hold", mta.postfix.queue()
    entries = [e for e in Quarantine(mta.quarantine).entries() if e.postfix_queue_id == queue_id]
    assert entries and entries[0].tenant == "promo" and "message-abuse" in entries[0].reason
    assert not [m for m in mta.sink.handler.messages if b"Offer:" in m.data]
    listed = CliRunner().invoke(app, ["quarantine", "list", "--dir", str(mta.quarantine), "--json"])
    assert listed.exit_code == 0 and f'"id":"{entries[0].id}"' in listed.stdout
    released = CliRunner().invoke(
        app,
        ["quarantine", "release", entries[0].id, "--dir", str(mta.quarantine), "--db", mta.db],
    )
    assert released.exit_code == 0, released.output
    end = time.monotonic() + 20
    while time.monotonic() < end and not [
        m for m in mta.sink.handler.messages if b"Offer:" in m.data
    ]:
        time.sleep(0.1)
    assert [m for m in mta.sink.handler.messages if b"Offer:" in m.data], mta.postfix.log()
    assert Quarantine(mta.quarantine).get(entries[0].id).state == "released"
    trail = audit_trail(mta.db, f"quarantine:{entries[0].id}")
    assert trail == [("cli", "quarantine.release", "released", entries[0].event_id)]


def test_held_message_deleted_from_the_hold_queue_is_audited(mta: Mta) -> None:
    raw = message("news@promo.example", "dest@example.org", f"Drop me: {GTUBE_TEXT}")
    code, resp = send(mta.postfix.smtp_port, raw, "news@promo.example")
    assert code == 250, resp
    queue_id = resp.rsplit(" ", 1)[-1]
    entries = [e for e in Quarantine(mta.quarantine).entries() if e.postfix_queue_id == queue_id]
    assert entries and [q for q in mta.postfix.queue() if q["queue_id"] == queue_id]
    where = ["--dir", str(mta.quarantine), "--db", mta.db]
    deleted = CliRunner().invoke(
        app, ["quarantine", "delete", entries[0].id, *where, "--reviewer", "bob"]
    )
    assert deleted.exit_code == 0, deleted.output
    assert not [q for q in mta.postfix.queue() if q["queue_id"] == queue_id]
    assert Quarantine(mta.quarantine).get(entries[0].id).state == "deleted"
    trail = audit_trail(mta.db, f"quarantine:{entries[0].id}")
    assert trail == [("bob", "quarantine.delete", "deleted", entries[0].event_id)]
    time.sleep(1)
    assert not [m for m in mta.sink.handler.messages if b"Drop me:" in m.data]
