"""Free-form complaints: keys from text and HTML, forwarded originals (attached or inline)."""

from __future__ import annotations

import pytest

from aupguard.errors import Rejection
from aupguard.reports.mailbox import parse_report
from aupguard.reports.model import ReportKind
from tests.reports.helpers import TOKEN, context


def test_plain_text_complaint_keys() -> None:
    raw = (
        "From: Carol <carol@mail.example>\nTo: abuse@platform.example\n"
        "Subject: spam from 203.0.113.5\nMessage-ID: <own@mail.example>\n\n"
        "I keep getting texts from +1 202 555 0143 (sender ID: ACMEBANK) and mail "
        "<x-9@tenant.example> linking hxxp://evil[.]example/login. Token " + TOKEN + "\n"
    ).encode()
    report = parse_report(raw, context())
    assert report.kind is ReportKind.COMPLAINT and report.clause == "message-abuse"
    assert report.keys.phones == ("+12025550143",)
    assert report.keys.sender_ids == ("ACMEBANK",)
    assert report.keys.message_ids == ("x-9@tenant.example",)  # not the complaint's own id
    assert report.keys.urls == ("http://evil.example/login",)
    assert report.keys.feedback_tokens == (TOKEN,)
    assert [s.ip for s in report.keys.sending_ips] == ["203.0.113.5"]
    assert report.reporter.address == "carol@mail.example"


def test_html_complaint_with_attached_original() -> None:
    raw = (
        b"From: dave@mail.example\nTo: abuse@platform.example\nSubject: Fwd: phishing\n"
        b'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="o"\n\n'
        b"--o\nContent-Type: text/html\n\n<p>This is a <b>phish</b>, see attached.</p>\n"
        b"--o\nContent-Type: message/rfc822\n\n"
        b"From: Bank <alerts@tenant.example>\nSubject: Verify 1234\n"
        b"Message-ID: <p-1@tenant.example>\n"
        b"Received: from o1.platform.example ([198.51.100.8]) by mx; Fri, 20 Nov 2026 10:00:00 +0000\n"
        b"\n<a href='https://tenant-login.example/x'>log in</a>\n--o--\n"
    )
    report = parse_report(raw, context())
    assert report.keys.message_ids == ("p-1@tenant.example",)
    assert report.keys.sending_ips[0].ip == "198.51.100.8"
    assert "https://tenant-login.example/x" in report.keys.urls
    assert report.original is not None and b"Verify 1234" in report.original.raw
    assert "phish" in report.summary and report.campaign_key


def test_inline_forwarded_message() -> None:
    raw = (
        b"From: erin@mail.example\nSubject: look at this\n\n"
        b"Please stop them.\n\n---------- Forwarded message ---------\n"
        b"From: Promo <promo@tenant.example>\nDate: Fri, 20 Nov 2026 10:00:00 +0000\n"
        b"Subject: Offer\nMessage-ID: <inline-1@tenant.example>\n\nCheap stuff\n"
    )
    report = parse_report(raw, context())
    assert "inline-1@tenant.example" in report.keys.message_ids
    assert "tenant.example" in report.keys.domains and report.original is not None


def test_empty_complaint_is_rejected() -> None:
    with pytest.raises(Rejection) as info:
        parse_report(b"From: x@mail.example\nSubject:\n\n   \n", context())
    assert info.value.field == "body"


def test_not_mail_is_rejected() -> None:
    with pytest.raises(Rejection) as info:
        parse_report(b"\x00\x01 just bytes", context())
    assert info.value.field.startswith("message")


def test_mime_nesting_past_the_limit_is_rejected() -> None:
    depth = 30
    head = b"From: x@mail.example\nSubject: deep\nMIME-Version: 1.0\n"
    body = b""
    for i in range(depth):
        body += f'Content-Type: multipart/mixed; boundary="b{i}"\n\n--b{i}\n'.encode()
    body += b"Content-Type: text/plain\n\nspam from 192.0.2.1\n"
    for i in reversed(range(depth)):
        body += f"--b{i}--\n".encode()
    with pytest.raises(Rejection) as info:
        parse_report(head + body, context())
    assert "nesting" in info.value.reason


def test_xarf_mailed_as_an_attachment() -> None:
    payload = (
        '{"xarf_version": "4.2.0", "report_id": "5cb60abc-119f-4f7d-a81d-26f89eed942b",'
        '"timestamp": "2026-11-20T10:00:00Z",'
        '"reporter": {"org": "N", "contact": "a@n.example", "domain": "n.example"},'
        '"sender": {"org": "N", "contact": "a@n.example", "domain": "n.example"},'
        '"source_identifier": "198.51.100.7", "source_port": 4444, "category": "connection",'
        '"type": "port_scan",'
        '"protocol": "tcp", "first_seen": "2026-11-20T09:59:00Z", "destination_ip": "203.0.113.1"}'
    )
    raw = (
        "From: reports@n.example\nSubject: X-ARF report\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="m"\n\n'
        "--m\nContent-Type: text/plain\n\nSee attached.\n"
        '--m\nContent-Type: application/json\nContent-Disposition: attachment; filename="report.json"\n\n'
        f"{payload}\n--m--\n"
    ).encode()
    report = parse_report(raw, context())
    assert report.kind is ReportKind.XARF and report.clause == "unauthorized-access"
    assert report.keys.sending_ips[0].ip == "198.51.100.7"
