"""Delivery status notifications: bounce type, status, recipients and the original's keys."""

from __future__ import annotations

import pytest

from aupguard.errors import Rejection
from aupguard.reports.mailbox import parse_report
from aupguard.reports.model import BounceType, ReportKind
from tests.reports.helpers import TOKEN, context


def dsn(status: str = "5.1.1", action: str = "failed", extra: str = "") -> bytes:
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.isp.example>\n"
        "To: bounces@platform.example\nSubject: Undelivered Mail Returned to Sender\n"
        "Message-ID: <bounce-1@mx.isp.example>\nMIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\n\n'
        "--b\nContent-Type: text/plain\n\nYour message could not be delivered.\n\n"
        "--b\nContent-Type: message/delivery-status\n\n"
        f"Reporting-MTA: dns; mx.isp.example\nOriginal-Envelope-Id: {TOKEN}\n"
        "Arrival-Date: Fri, 20 Nov 2026 10:00:00 +0000\n\n"
        "Final-Recipient: rfc822; nobody@isp.example\n"
        "Original-Recipient: rfc822; Nobody@isp.example\n"
        f"Action: {action}\nStatus: {status}\n"
        "Remote-MTA: dns; mx.isp.example\n"
        "Diagnostic-Code: smtp; 550 5.1.1 <nobody@isp.example>: user unknown\n"
        f"{extra}\n"
        "--b\nContent-Type: text/rfc822-headers\n\n"
        "From: news@tenant.example\nTo: nobody@isp.example\nSubject: Hello\n"
        "Message-ID: <m-42@tenant.example>\n\n--b--\n"
    ).encode()


def test_hard_bounce_fields() -> None:
    report = parse_report(dsn(), context())
    assert report.kind is ReportKind.DSN and report.mapping_key == "dsn:hard"
    assert report.clause is None  # bounces feed rates, not cases
    bounce = report.bounce
    assert bounce is not None and bounce.type is BounceType.HARD and bounce.status == "5.1.1"
    assert bounce.final_recipient == "nobody@isp.example"
    assert bounce.original_recipient == "nobody@isp.example"
    assert bounce.diagnostic and "user unknown" in bounce.diagnostic
    assert report.keys.message_ids == ("m-42@tenant.example",)
    assert report.keys.feedback_tokens == (TOKEN,)
    assert report.original is not None and report.original.headers_only


def test_soft_bounce() -> None:
    report = parse_report(dsn(status="4.2.2", action="delayed"), context())
    assert report.bounce is not None and report.bounce.type is BounceType.SOFT
    assert report.mapping_key == "dsn:soft"


@pytest.mark.parametrize(
    ("status", "action", "field"),
    [
        ("5.1", "failed", "delivery-status.recipient[1].Status"),
        ("2.0.0", "delivered", "delivery-status.Action"),
        ("5.1.1", "", "delivery-status.recipient[1].Action"),
    ],
)
def test_bad_dsns_are_rejected_by_field(status: str, action: str, field: str) -> None:
    with pytest.raises(Rejection) as info:
        parse_report(dsn(status=status, action=action), context())
    assert info.value.field == field
