"""Delivery through a real SMTP server on loopback: retries, dead letters, at-least-once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import SecretStr
from typer.testing import CliRunner

from aupguard.cli.main import app
from aupguard.notify.delivery import dispatch_once
from aupguard.notify.outbox import enqueue
from aupguard.notify.settings import NotifySettings
from aupguard.store.db import Store
from aupguard.store.models import OutboxMessage, Tenant
from tests.notify.servers import SmtpSink, smtp_server, smtp_tls_auth_server
from tests.servers import free_port

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
runner = CliRunner()


def _settings(port: int, **changes: object) -> NotifySettings:
    base: dict[str, object] = dict(
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_timeout_s=5,
        webhook_timeout_s=5,
        lease_s=10,
        mail_from="abuse@platform.example",
        max_attempts=4,
    )
    return NotifySettings(**{**base, **changes})  # type: ignore[arg-type]


def _store(db_url: str, notices: int = 1, to: str = "ops@acme.example") -> Store:
    store = Store(db_url)
    with store.write() as s:
        s.add(Tenant(id="t1", name="Acme", contact_email=to, created_at=T0))
        s.flush()
        for n in range(1, notices + 1):
            enqueue(
                s,
                dedup_key=f"action:{n}:email",
                channel="email",
                tenant_id="t1",
                topic="action",
                recipient=to,
                subject=f"Notice {n}",
                body=f"Body {n}\n",
                now=T0,
            )
    return store


def _row(store: Store, outbox_id: int = 1) -> OutboxMessage:
    with store.read() as s:
        row = s.get(OutboxMessage, outbox_id)
        assert row is not None
        return row


def test_a_notice_is_retried_while_smtp_is_down_and_delivered_when_it_is_back(
    db_url: str,
) -> None:
    port = free_port()
    settings = _settings(port)
    store = _store(db_url)

    first = dispatch_once(store, settings, T0)
    assert (first.claimed, first.retried) == (1, 1)
    row1 = _row(store)
    assert row1.state == "pending" and row1.attempts == 1
    assert "unreachable" in (row1.last_error or "")
    assert T0 + timedelta(seconds=15) <= row1.next_attempt_at <= T0 + timedelta(seconds=31)
    assert dispatch_once(store, settings, T0 + timedelta(seconds=1)).claimed == 0  # not due yet

    dispatch_once(store, settings, row1.next_attempt_at)
    row2 = _row(store)
    assert row2.attempts == 2
    delay = row2.next_attempt_at - row1.next_attempt_at
    assert timedelta(seconds=30) <= delay <= timedelta(seconds=61)

    with smtp_server(port) as sink:
        done = dispatch_once(store, settings, row2.next_attempt_at)
    assert (done.claimed, done.sent) == (1, 1)
    row3 = _row(store)
    assert (row3.state, row3.attempts) == ("sent", 3)
    assert row3.sent_at is not None and row3.sent_at - row2.next_attempt_at < timedelta(seconds=10)
    [mail] = sink.messages
    assert mail["Message-ID"] == "<aupguard-notice-1@platform.example>"
    assert (mail["To"], mail["Subject"], mail["X-Aupguard-Attempt"]) == (
        "ops@acme.example",
        "Notice 1",
        "3",
    )
    assert mail["Auto-Submitted"] == "auto-generated"
    store.dispose()


def test_dead_letter_after_max_attempts_then_listed_and_requeued(db_url: str) -> None:
    port = free_port()
    settings = _settings(port, max_attempts=3)
    store = _store(db_url)
    when = T0
    for _ in range(3):
        dispatch_once(store, settings, when)
        when = _row(store).next_attempt_at
    row = _row(store)
    assert (row.state, row.attempts) == ("dead", 3)
    assert (row.last_error or "").startswith("attempt 3: SMTP server 127.0.0.1:")
    assert dispatch_once(store, settings, when + timedelta(days=1)).claimed == 0

    listed = runner.invoke(app, ["notify", "dead", "--db", db_url], env={"COLUMNS": "250"})
    assert listed.exit_code == 0 and "ops@acme.exam" in listed.stdout, listed.output
    again = runner.invoke(app, ["notify", "retry", "1", "--db", db_url])
    assert again.exit_code == 0, again.output
    assert (_row(store).state, _row(store).attempts) == ("pending", 0)
    twice = runner.invoke(app, ["notify", "retry", "1", "--db", db_url])
    assert twice.exit_code == 2 and "is pending, not dead" in twice.stderr

    with smtp_server(port) as sink:
        assert dispatch_once(store, settings).sent == 1
    assert len(sink.messages) == 1 and _row(store).state == "sent"
    store.dispose()


def test_a_refused_recipient_is_dead_at_once(db_url: str) -> None:
    port = free_port()
    store = _store(db_url, to="gone@acme.example")
    sink = SmtpSink()
    sink.refuse.add("gone@acme.example")
    with smtp_server(port, sink):
        counts = dispatch_once(store, _settings(port), T0)
    assert counts.dead == 1
    row = _row(store)
    assert (row.state, row.attempts) == ("dead", 1)
    assert "550" in (row.last_error or "") and "no such mailbox" in (row.last_error or "")
    store.dispose()


def test_nothing_is_lost_when_the_dispatcher_is_killed_mid_send(db_url: str) -> None:
    """SIGKILL while the server holds its DATA reply; the restart re-sends (at least once)."""
    port = free_port()
    store = _store(db_url)
    sink = SmtpSink()
    sink.hold = True
    env = {
        **os.environ,
        "AUPGUARD_NOTIFY_SMTP_HOST": "127.0.0.1",
        "AUPGUARD_NOTIFY_SMTP_PORT": str(port),
        "AUPGUARD_NOTIFY_SMTP_TIMEOUT_S": "5",
        "AUPGUARD_NOTIFY_WEBHOOK_TIMEOUT_S": "5",
        "AUPGUARD_NOTIFY_LEASE_S": "10",
        "AUPGUARD_NOTIFY_MAIL_FROM": "abuse@platform.example",
    }
    cmd = [sys.executable, "-m", "aupguard.cli.main", "notify", "run", "--once", "--db", db_url]
    with smtp_server(port, sink):
        proc = subprocess.Popen(
            cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        try:
            assert sink.data_received.wait(60), proc.stderr.read() if proc.stderr else ""
            killed_at = datetime.now(UTC)
            os.kill(proc.pid, signal.SIGKILL)
        finally:
            proc.wait(30)
        assert proc.returncode == -signal.SIGKILL
        interrupted = _row(store)
        assert (interrupted.state, interrupted.attempts, interrupted.sent_at) == (
            "pending",
            1,
            None,
        )
        assert interrupted.next_attempt_at > killed_at  # leased: not re-sent at once
        sink.hold = False
        restarted = dispatch_once(store, _settings(port), killed_at + timedelta(seconds=11))
    assert restarted.sent == 1
    done = _row(store)
    assert (done.state, done.attempts) == ("sent", 2)
    first, second = sink.messages
    assert first["Message-ID"] == second["Message-ID"] == "<aupguard-notice-1@platform.example>"
    assert (first["X-Aupguard-Attempt"], second["X-Aupguard-Attempt"]) == ("1", "2")
    store.dispose()


def test_concurrent_dispatchers_send_each_notice_once(db_url: str) -> None:
    port = free_port()
    store = _store(db_url, notices=12)
    settings = _settings(port, batch_size=3)
    with smtp_server(port) as sink:
        workers = [
            threading.Thread(target=lambda: [dispatch_once(store, settings) for _ in range(4)])
            for _ in range(3)
        ]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
    ids = sorted(m["Message-ID"] for m in sink.messages)
    assert ids == sorted(f"<aupguard-notice-{n}@platform.example>" for n in range(1, 13))
    with store.read() as s:
        assert {r.state for r in s.query(OutboxMessage)} == {"sent"}
    store.dispose()


def test_a_malformed_notice_is_retried_not_fatal(tmp_path: Path) -> None:
    store = _store(f"sqlite:///{tmp_path}/a.db", to="ops@acme.example\nBcc: all@x.example")
    counts = dispatch_once(store, _settings(free_port(), max_attempts=1), T0)
    assert counts.dead == 1
    assert "unexpected ValueError" in (_row(store).last_error or "")


def test_starttls_and_auth_with_a_private_ca(tmp_path: Path) -> None:
    port = free_port()
    store = _store(f"sqlite:///{tmp_path}/a.db")
    good = _settings(
        port,
        smtp_starttls=True,
        smtp_ca_file=str(tmp_path / "smtp.crt"),
        smtp_user="aupguard",
        smtp_password="pw-1",
    )
    with smtp_tls_auth_server(port, tmp_path, "aupguard", "pw-1") as sink:
        wrong = good.model_copy(update={"smtp_password": SecretStr("nope")})
        assert dispatch_once(store, wrong, T0).retried == 1
        assert "535" in (_row(store).last_error or "")
        untrusted = good.model_copy(update={"smtp_ca_file": None})
        assert dispatch_once(store, untrusted, _row(store).next_attempt_at).retried == 1
        assert "TLS with SMTP server" in (_row(store).last_error or "")
        assert dispatch_once(store, good, _row(store).next_attempt_at).sent == 1
    assert len(sink.messages) == 1
