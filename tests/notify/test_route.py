"""A rendered notice reaches the tenant's mailbox and webhook once, end to end."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from aupguard.notify.delivery import dispatch_once
from aupguard.notify.route import notify_operators, notify_tenant
from aupguard.notify.settings import NotifySettings
from aupguard.notify.templates import render
from aupguard.notify.webhook import verify_signature
from aupguard.store.db import Store
from aupguard.store.models import OutboxMessage, Tenant
from tests.notify.servers import WebhookSink, smtp_server, webhook_server
from tests.notify.test_templates import NOTICES
from tests.servers import free_port

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def test_action_notice_reaches_mail_and_webhook_once(db_url: str) -> None:
    port = free_port()
    settings = NotifySettings(
        smtp_host="127.0.0.1", smtp_port=port, smtp_timeout_s=5, webhook_timeout_s=5, lease_s=10
    )
    store = Store(db_url)
    notice = render(NOTICES["action-suspend"])
    with webhook_server(WebhookSink()) as hook, smtp_server(port) as mailbox:
        with store.write() as s:
            tenant = Tenant(
                id="t1",
                name="Acme Support Ltd",
                contact_email="ops@acme.example",
                webhook_url=hook.url,
                webhook_secret="acme-secret",
                created_at=T0,
            )
            s.add(tenant)
            s.flush()
            assert len(notify_tenant(s, tenant, notice, dedup_key="action:34", now=T0)) == 2
            assert notify_tenant(s, tenant, notice, dedup_key="action:34", now=T0) == []
            long = "ops-" + "x" * 250 + "@platform.example"
            queued = notify_operators(
                s, render(NOTICES["operator-alert"]), dedup_key="brake:1", emails=[long]
            )
            assert len(queued[0].dedup_key) <= 200
            s.delete(queued[0])
        assert dispatch_once(store, settings, T0).sent == 2
    [mail] = mailbox.messages
    assert mail["Subject"] == "[AUP-000012] Service suspended: Malicious code"
    assert "STATEMENT OF REASONS" in mail.get_payload()
    [(headers, body)] = hook.requests
    assert verify_signature("acme-secret", headers, body)
    data = json.loads(body)["data"]
    assert (data["action_ref"], data["appeal"]["reference"]) == ("ACT-000034", "ACT-000034")
    with store.read() as s:
        assert s.query(OutboxMessage).filter_by(state="sent").count() == 2
    store.dispose()
