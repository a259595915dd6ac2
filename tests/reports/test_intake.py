"""Intake: the sink gets every report or rejection; SMTP on loopback and Maildir reach it."""

from __future__ import annotations

import mailbox
import smtplib
import socket
import threading
import time
from pathlib import Path

import pytest

from aupguard.errors import ConfigError
from aupguard.reports.intake import MemorySink, Receipt, take_in
from aupguard.reports.listener import MailboxHandler, MailboxLimits, RateLimiter, start_listener
from aupguard.reports.maildir import import_maildir
from aupguard.reports.model import IntakeContext, Report
from tests.reports.helpers import arf_message, context


def test_take_in_dedups_and_records_rejections() -> None:
    sink = MemorySink()
    first = take_in(arf_message(), context(), sink)
    again = take_in(arf_message(message_id="<resent@isp.example>"), context(), sink)
    bad = take_in(b'{"Version": "3", "Report": {}}', context(), sink, channel="api")
    assert first.status == "accepted" and again == Receipt(first.reference, "duplicate")
    assert bad.status == "rejected" and "Report.ReportType" in bad.detail
    assert len(sink.reports) == 1 and sink.rejected[0].field == "Report.ReportType"
    assert sink.rejected[0].channel == "api" and len(sink.rejected[0].sha256) == 64


class _SignalSink(MemorySink):
    def __init__(self) -> None:
        super().__init__()
        self.arrived = threading.Event()

    def accept(self, report: Report) -> Receipt:
        receipt = super().accept(report)
        self.arrived.set()
        return receipt


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _context_for(ip: str | None) -> IntakeContext:
    return context(source_ip=ip)


def test_report_sent_by_smtp_reaches_the_sink_within_a_second() -> None:
    sink = _SignalSink()
    handler = MailboxHandler(sink, _context_for, MailboxLimits(max_message_bytes=200_000))
    controller = start_listener(handler, port=_free_port())
    try:
        start = time.monotonic()
        with smtplib.SMTP("127.0.0.1", controller.port, timeout=5) as smtp:
            refused = smtp.sendmail("fbl@isp.example", ["abuse@platform.example"], arf_message())
        assert refused == {}
        assert sink.arrived.wait(1.0), "no report reached the sink within a second"
        elapsed = time.monotonic() - start
        report = sink.reports[0]
        assert report.clause == "message-abuse" and report.source_ip == "127.0.0.1"
        assert elapsed < 1.0
        with (
            smtplib.SMTP("127.0.0.1", controller.port, timeout=5) as smtp,
            pytest.raises(smtplib.SMTPDataError) as info,
        ):
            smtp.sendmail("x@y.example", ["abuse@platform.example"], b"Subject: x\n\n \n")
        assert info.value.smtp_code == 550 and b"body" in info.value.smtp_error
        assert sink.rejected[0].field == "body"
        with (
            smtplib.SMTP("127.0.0.1", controller.port, timeout=5) as smtp,
            pytest.raises(smtplib.SMTPException),
        ):
            smtp.sendmail("x@y.example", ["abuse@platform.example"], b"X: " + b"a" * 300_000)
    finally:
        controller.stop()


def test_rate_limit_per_source() -> None:
    now = [0.0]
    limiter = RateLimiter(limit=2, clock=lambda: now[0])
    assert limiter.allow("192.0.2.1") and limiter.allow("192.0.2.1")
    assert not limiter.allow("192.0.2.1") and limiter.allow("192.0.2.2")
    now[0] = 61.0
    assert limiter.allow("192.0.2.1")


def test_smtp_rate_limit_answers_421() -> None:
    sink = MemorySink()
    handler = MailboxHandler(sink, _context_for, MailboxLimits(per_source_per_minute=1))
    controller = start_listener(handler, port=_free_port())
    try:
        with smtplib.SMTP("127.0.0.1", controller.port, timeout=5) as smtp:
            smtp.sendmail("fbl@isp.example", ["abuse@platform.example"], arf_message())
            with pytest.raises(smtplib.SMTPSenderRefused) as info:
                smtp.sendmail("fbl@isp.example", ["abuse@platform.example"], arf_message())
        assert info.value.smtp_code == 421
    finally:
        controller.stop()


def test_listener_refuses_a_public_address() -> None:
    handler = MailboxHandler(MemorySink(), _context_for)
    with pytest.raises(ConfigError):
        start_listener(handler, host="0.0.0.0")


def test_maildir_import(tmp_path: Path) -> None:
    box = mailbox.Maildir(tmp_path / "abuse", create=True)
    box.add(arf_message())
    box.add(arf_message(message_id="<dup@isp.example>"))
    box.add(b"Subject: nothing\n\n\n")
    sink = MemorySink()
    summary = import_maildir(tmp_path / "abuse", sink, context())
    assert (summary.count("accepted"), summary.count("duplicate"), summary.count("rejected")) == (
        1,
        1,
        1,
    )
    with pytest.raises(ConfigError):
        import_maildir(tmp_path, sink, context())
