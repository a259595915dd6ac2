"""Signed webhooks: a local HTTP server checks the HMAC independently; retries and dead ends."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import UTC, datetime

from aupguard.notify.delivery import dispatch_once
from aupguard.notify.outbox import enqueue
from aupguard.notify.settings import NotifySettings
from aupguard.notify.webhook import verify_signature
from aupguard.store.db import Store
from aupguard.store.models import OutboxMessage, Tenant
from tests.notify.servers import WebhookSink, webhook_server

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
SETTINGS = NotifySettings(webhook_timeout_s=5, smtp_timeout_s=5, lease_s=10)


def _queue(store: Store, url: str, secret: str | None, tenant: str = "t1") -> None:
    with store.write() as s:
        s.add(Tenant(id=tenant, name="Acme", webhook_url=url, webhook_secret=secret, created_at=T0))
        s.flush()
        enqueue(
            s,
            dedup_key=f"action:7:{tenant}:webhook",
            channel="webhook",
            tenant_id=tenant,
            topic="action",
            recipient=url,
            subject="Your e-mail sending is suspended",
            body="Statement of reasons ...",
            payload={"action": "suspend", "case": "AUP-000001"},
            now=T0,
        )


def _independent_check(secret: bytes, headers: dict[str, str], body: bytes) -> bool:
    """How a tenant verifies: HMAC-SHA256(secret, id + "." + timestamp + "." + body)."""
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(secret, signed, hashlib.sha256).digest()).decode()
    return headers["webhook-signature"] == f"v1,{expected}"


def _state(store: Store) -> tuple[str, int, str | None]:
    with store.read() as s:
        row = s.get(OutboxMessage, 1)
        assert row is not None
        return row.state, row.attempts, row.last_error


def test_signed_webhook_is_retried_on_500_and_verifies(db_url: str) -> None:
    store = Store(db_url)
    with webhook_server(WebhookSink([500, 204])) as sink:
        _queue(store, sink.url, "s3cret-for-acme")
        assert dispatch_once(store, SETTINGS, T0).retried == 1
        with store.read() as s:
            due = s.get(OutboxMessage, 1).next_attempt_at  # type: ignore[union-attr]
        assert dispatch_once(store, SETTINGS, due).sent == 1
    assert _state(store)[:2] == ("sent", 2)
    (h1, b1), (h2, b2) = sink.requests
    assert h1["webhook-id"] == h2["webhook-id"] == "aupguard-notice-1"  # receivers dedupe on it
    assert b1 == b2
    for headers, body in sink.requests:
        assert _independent_check(b"s3cret-for-acme", headers, body)
        assert verify_signature("s3cret-for-acme", headers, body)
        assert not verify_signature("s3cret-for-acme", headers, body + b" ")
        assert not verify_signature("another-secret", headers, body)
        assert not verify_signature("s3cret-for-acme", headers, body, now=time.time() + 3600)
    document = json.loads(b1)
    assert document["type"] == "aupguard.action"
    assert document["data"]["case"] == "AUP-000001" and document["data"]["tenant_id"] == "t1"
    store.dispose()


def test_standard_webhooks_secret_form_is_base64_decoded(db_url: str) -> None:
    store = Store(db_url)
    raw = b"\x01\x02binary secret\xff"
    with webhook_server(WebhookSink()) as sink:
        _queue(store, sink.url, "whsec_" + base64.b64encode(raw).decode())
        assert dispatch_once(store, SETTINGS, T0).sent == 1
    [(headers, body)] = sink.requests
    assert _independent_check(raw, headers, body)
    store.dispose()


def test_no_secret_or_410_gone_is_dead_at_once(db_url: str) -> None:
    store = Store(db_url)
    _queue(store, "http://127.0.0.1:9/never", None)
    assert dispatch_once(store, SETTINGS, T0).dead == 1
    state, attempts, error = _state(store)
    assert (state, attempts) == ("dead", 1)
    assert "tenant t1 has no webhook secret" in (error or "")

    other = Store(db_url)
    with store.write() as s:
        s.query(OutboxMessage).delete()
    with webhook_server(WebhookSink([410])) as sink:
        _queue(other, sink.url, "x", tenant="t2")
        assert dispatch_once(other, SETTINGS, T0).dead == 1
    with other.read() as s:
        assert "410 Gone" in (s.query(OutboxMessage).one().last_error or "")
    other.dispose()
    store.dispose()
