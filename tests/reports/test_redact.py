"""Redaction: nothing that identifies the reporter reaches the tenant's copy."""

from __future__ import annotations

from aupguard.reports.mailbox import parse_report
from aupguard.reports.redact import redact_for_tenant
from tests.reports.helpers import arf_message, context


def test_reporter_and_recipient_identity_is_removed() -> None:
    original = (
        "From: Shop <news@tenant.example>\nTo: Alice Smith <alice@isp.example>\n"
        "Delivered-To: alice@isp.example\nSubject: Sale for alice@isp.example\n"
        "Message-ID: <m-1@tenant.example>\n"
        "Received: from out.platform.example ([198.51.100.7]) by mx.isp.example (10.1.2.3);"
        " Fri, 20 Nov 2026 10:00:00 +0000\n\n"
        "Hello alice@isp.example, your IP 192.0.2.44 qualifies. Unsubscribe: "
        "https://tenant.example/u?e=alice%40isp.example\n"
    )
    report = parse_report(
        arf_message(sender="Complaints Desk <fbl@isp.example>", original=original),
        context(source_ip="203.0.113.9"),
    )
    tenant = redact_for_tenant(report)
    assert tenant.reporter.address is None and tenant.reporter.name is None
    assert tenant.source_ip is None and tenant.report_id is None
    assert tenant.original is not None
    text = tenant.original.raw.decode()
    for secret in (
        "alice@isp.example",
        "Alice Smith",
        "192.0.2.44",
        "10.1.2.3",
        "mx.isp.example",
        "fbl@isp.example",
        "Complaints Desk",
        "203.0.113.9",
    ):
        assert secret not in text, secret
    assert "Message-ID: <m-1@tenant.example>" in text and "news@tenant.example" in text
    assert all("%40" not in u for u in tenant.keys.urls)
    assert tenant.keys.message_ids == report.keys.message_ids  # resolution keys stay
    assert tenant.digest == report.digest
