"""The store sink: reports resolved through the send log land in the tenant's case, once."""

from __future__ import annotations

import smtplib
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from aupguard.reports.listener import MailboxHandler, start_listener
from aupguard.store.models import Case, OutboxMessage, ReporterRow, ReportRow, Strike
from tests.conftest import corpus
from tests.reports.desk import AUTH, as_sent, desk, mail, send
from tests.reports.helpers import arf_message, signed
from tests.servers import free_port


def test_feedback_report_lands_in_the_tenants_case_once(db_url: str, tmp_path: Path) -> None:
    k = desk(db_url, tmp_path)
    decision = send(k.decider, 1)
    assert decision.feedback_token and decision.action == "allow"
    raw = signed(arf_message(original=as_sent(1, decision), sender="fbl@isp.example"))
    first = k.take(raw)
    assert first.status == "accepted" and first.reference.startswith("rpt-")
    row = k.row(first.reference)
    assert (row.state, row.tenant_id, row.resolved_how) == ("resolved", "acme", "token")
    assert row.event_id == "acme-mail-1" and row.authenticated and row.counted
    with k.decider.store.read() as s:
        case = s.execute(select(Case)).scalar_one()
        assert (case.tenant_id, case.clause, case.id) == ("acme", "message-abuse", row.case_id)
        notices = s.execute(select(func.count(OutboxMessage.id))).scalar_one()
    assert k.items() == 1
    again = k.take(raw)  # the same report again: one event, nothing added
    assert again.status == "duplicate" and again.reference != first.reference
    assert k.row(again.reference).duplicate_of == row.id
    assert k.row(again.reference).state == "duplicate"
    with k.decider.store.read() as s:
        assert s.execute(select(func.count(OutboxMessage.id))).scalar_one() == notices
        assert s.execute(select(func.count(Strike.id))).scalar_one() == 0
        reporter = s.get(ReporterRow, row.reporter_id)
        assert reporter is not None and reporter.key == "provider:ISP FBL"
        assert (reporter.reports, reporter.resolved, reporter.duplicates) == (2, 1, 1)
    assert k.items() == 1


def test_message_id_resolves_when_the_token_is_missing(db_url: str, tmp_path: Path) -> None:
    k = desk(db_url, tmp_path, tenants=("acme", "beta"))
    send(k.decider, 2)
    send(k.decider, 3, tenant="beta")
    receipt = k.take(signed(arf_message(original=as_sent(2))))
    row = k.row(receipt.reference)
    assert (row.state, row.tenant_id, row.resolved_how) == ("resolved", "acme", "message-id")


def test_forged_token_is_noted_and_does_not_resolve(db_url: str, tmp_path: Path) -> None:
    k = desk(db_url, tmp_path)
    forged = as_sent(9).replace(
        "Message-ID:", "X-Aupguard-Feedback: agf1-aaaaaaaaaaaaaaaa-bbbbbbbbbbbbb\nMessage-ID:"
    )
    row = k.row(k.take(signed(arf_message(original=forged))).reference)
    assert "failed the signature check" in row.facts["resolution_notes"][0]
    # Nothing of ours was sent: only the verified domain points at acme, which is weak.
    assert (row.state, row.tenant_id, row.resolved_how) == ("triage", "acme", "domain")
    assert not row.counted and row.case_id is None


def test_unknown_and_ambiguous_reports_wait_in_triage(db_url: str, tmp_path: Path) -> None:
    k = desk(db_url, tmp_path, tenants=("acme", "beta"))
    send(k.decider, 4)
    send(k.decider, 5, tenant="beta")  # same outbound IP, same minute window
    stranger = mail(4).decode().replace("acme.example", "stranger.example")
    unknown = k.row(k.take(signed(arf_message(original=stranger))).reference)
    assert (unknown.state, unknown.tenant_id) == ("triage", None)
    assert unknown.resolved_how is None
    both = (
        "Received: from out1 (out1 [198.51.100.7])\n  by mx; Tue, 10 Nov 2026 09:03:00 +0000\n"
        "From: x@nowhere.example\nSubject: hi\n\nspam\n"
    )
    ambiguous = k.row(k.take(signed(arf_message(original=both))).reference)
    assert ambiguous.state == "triage" and ambiguous.candidates == ["acme", "beta"]
    assert ambiguous.resolved_how == "ip-time" and ambiguous.tenant_id is None
    with k.decider.store.read() as s:
        assert s.execute(select(func.count(ReportRow.id))).scalar_one() == 2
        assert s.execute(select(func.count(Case.id))).scalar_one() == 0


def test_rejections_are_stored_with_their_reason(db_url: str, tmp_path: Path) -> None:
    k = desk(db_url, tmp_path)
    bad = b'{"Version": "3", "Report": {}}'
    receipt = k.take(bad)
    assert receipt.status == "rejected" and receipt.reference.startswith("rej-")
    row = k.row(receipt.reference)
    assert (row.state, row.rejection_field) == ("rejected", "Report.ReportType")
    assert row.sha256 and row.size == len(bad)
    again = k.row(k.take(bad).reference)
    assert again.duplicate_of == row.id and again.state == "rejected"


def test_smtp_report_shows_up_in_the_case_or_triage_within_a_second(
    db_url: str, tmp_path: Path
) -> None:
    k = desk(db_url, tmp_path)
    decision = send(k.decider, 1)
    handler = MailboxHandler(k.sink, lambda ip: k.context(source_ip=ip), authenticator=AUTH)
    controller = start_listener(handler, port=free_port())
    try:
        for raw, state in (
            (signed(arf_message(original=as_sent(1, decision))), "resolved"),
            (arf_message(original=as_sent(2), message_id="<r2@isp.example>"), "triage"),
        ):
            start = time.monotonic()
            with smtplib.SMTP("127.0.0.1", controller.port, timeout=5) as smtp:
                smtp.ehlo()
                smtp.mail("fbl@isp.example")
                smtp.rcpt("abuse@platform.example")
                code, answer = smtp.data(raw)
            # The answer comes after the report is committed: it is in the store now.
            row = k.row(answer.decode().rpartition("reference ")[2])
            elapsed = time.monotonic() - start
            assert code == 250 and row.state == state and row.source_ip == "127.0.0.1"
            assert elapsed < 1.0, f"{elapsed:.2f} s"
    finally:
        controller.stop()
    assert k.items() == 1


@pytest.mark.corpora
def test_every_corpus_report_is_stored(db_url: str, tmp_path: Path) -> None:
    """Real reports of every kind reach the store: accepted, duplicate or rejected, none lost."""
    k = desk(db_url, tmp_path)
    files = [
        *sorted(corpus("arf-sisimai").glob("*.eml")),
        *sorted((corpus("dmarc-reports-parsedmarc") / "failure").glob("*.eml")),
        *sorted((corpus("xarf-v4-spec-samples") / "samples").rglob("*.json")),
        *sorted((corpus("xarf-abusix-samples") / "samples" / "positive").rglob("*.json"))[::4],
        *sorted((corpus("xarf-abusix-samples") / "samples" / "negative").rglob("*.json"))[::8],
    ]
    statuses = Counter(k.take(f.read_bytes(), authenticated=False).status for f in files)
    with k.decider.store.read() as s:
        assert s.execute(select(func.count(ReportRow.id))).scalar_one() == len(files)
        states = Counter(s.execute(select(ReportRow.state)).scalars())
    assert statuses["accepted"] > 50 and statuses["rejected"] > 20
    assert set(states) <= {"triage", "rejected", "duplicate"}
