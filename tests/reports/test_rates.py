"""Complaint and bounce rates per tenant and identity, against the send log; the notice a
tenant gets about a report names no reporter and no recipient."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from aupguard.reports.rates import rates
from aupguard.store.models import OutboxMessage
from tests.enforce.helpers import T0
from tests.reports.desk import as_sent, desk, send
from tests.reports.helpers import arf_message, signed


def _dsn(token: str, status: str = "5.1.1") -> bytes:
    return (
        "From: MAILER-DAEMON@mx.isp.example\nTo: bounces@platform.example\n"
        "Subject: Undelivered Mail\nMIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="d"\n\n'
        "--d\nContent-Type: text/plain\n\nThe mail could not be delivered.\n\n"
        "--d\nContent-Type: message/delivery-status\n\n"
        f"Reporting-MTA: dns; mx.isp.example\nOriginal-Envelope-Id: {token}\n\n"
        f"Final-Recipient: rfc822; gone@isp.example\nAction: failed\nStatus: {status}\n\n"
        "--d--\n"
    ).encode()


def test_rates_per_tenant_and_identity(db_url: str, tmp_path: Path) -> None:
    k = desk(db_url, tmp_path)
    decisions = [send(k.decider, n) for n in range(10)]
    k.take(signed(arf_message(original=as_sent(0, decisions[0]))))
    k.take(signed(arf_message(original=as_sent(1, decisions[1]), message_id="<r2@isp.example>")))
    for n, status in ((2, "5.1.1"), (3, "5.1.1"), (4, "4.2.2")):
        token = decisions[n].feedback_token
        assert token is not None
        row = k.row(k.take(_dsn(token, status)).reference)
        assert (row.kind, row.state, row.resolved_how, row.case_id) == (
            "dsn",
            "resolved",
            "token",
            None,
        )
    with k.decider.store.read() as s:
        total, by_domain = rates(s, "acme", T0 - timedelta(days=1), T0 + timedelta(days=1))
    assert (total.sent, total.complaints, total.hard_bounces, total.soft_bounces) == (10, 2, 2, 1)
    assert total.complaint_rate == 0.2 and total.bounce_rate == 0.2
    assert by_domain.identity == "acme.example" and by_domain.sent == 10


def test_the_tenant_notice_names_no_reporter_and_no_recipient(db_url: str, tmp_path: Path) -> None:
    k = desk(db_url, tmp_path)
    decision = send(k.decider, 7)
    k.take(signed(arf_message(original=as_sent(7, decision), sender="fbl@isp.example")))
    with k.decider.store.read() as s:
        notices = (
            s.execute(select(OutboxMessage).where(OutboxMessage.topic == "violation"))
            .scalars()
            .all()
        )
    assert notices and notices[0].recipient == "ops@acme.example"
    text = notices[0].body + str(notices[0].payload)
    assert "Spring sale 7" in text and "ISP FBL" in text
    for secret in ("fbl@isp.example", "user7@isp.example", "report-1@isp.example", "192.0.2.25"):
        assert secret not in text
