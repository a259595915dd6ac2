"""ARF and DMARC failure reports: every corpus sample parses; fields and rejections."""

from __future__ import annotations

import pytest

from aupguard.errors import Rejection
from aupguard.reports.mailbox import parse_report
from aupguard.reports.model import ReportKind
from tests.conftest import corpus
from tests.reports.helpers import TOKEN, arf_message, context

# arf-sisimai: the Feedback-Type of each real ARF file (SOURCE.md), the rest are complaints.
SISIMAI = {
    **{f"arf-{n:02d}.eml": "arf:abuse" for n in (1, 2, 11, 14, 15, 16, 17, 21, 25)},
    "arf-12.eml": "arf:opt-out",
    **{f"arf-{n}.eml": "arf:auth-failure" for n in (18, 19, 20)},
    **{f"arf-{n}.eml": "complaint" for n in (22, 23, 24)},
    "arf-26.eml": "complaint:opt-out",
}


@pytest.mark.corpora
def test_every_sisimai_message_parses() -> None:
    folder = corpus("arf-sisimai")
    files = sorted(folder.glob("*.eml"))
    assert {f.name for f in files} == set(SISIMAI)
    for path in files:
        report = parse_report(path.read_bytes(), context())
        assert report.mapping_key == SISIMAI[path.name], path.name
        if report.mapping_key == "arf:abuse":
            assert report.kind is ReportKind.ARF and report.clause == "message-abuse"
        if report.mapping_key == "arf:auth-failure":
            assert report.clause == "origin-forgery"
        assert not report.keys.is_empty() or path.name in ("arf-12.eml", "arf-26.eml")


@pytest.mark.corpora
def test_every_parsedmarc_failure_report_parses_as_dmarc_failure() -> None:
    files = sorted((corpus("dmarc-reports-parsedmarc") / "failure").glob("*.eml"))
    assert len(files) == 5
    for path in files:
        report = parse_report(path.read_bytes(), context())
        assert report.kind is ReportKind.DMARC_FAILURE, path.name
        assert report.clause == "origin-forgery" and report.auth_failure is not None
        assert report.keys.sending_ips, path.name


@pytest.mark.corpora
def test_crlf_and_lf_copies_of_one_report_share_a_digest() -> None:
    folder = corpus("dmarc-reports-parsedmarc") / "failure"
    lf = parse_report((folder / "dmarc_ruf_report_linkedin.eml").read_bytes(), context())
    crlf = parse_report((folder / "dmarc_ruf_report_linkedin.crlf.eml").read_bytes(), context())
    assert lf.digest == crlf.digest


@pytest.mark.corpora
def test_older_received_date_field_is_read() -> None:
    folder = corpus("arf-sisimai")
    old = parse_report((folder / "arf-01.eml").read_bytes(), context())
    assert old.incident_time is not None and old.incident_time.year == 2009  # Received-Date
    assert old.keys.sending_ips[0].ip == "192.0.2.89"


def test_abuse_type_without_feedback_type_reads_as_abuse() -> None:
    feedback = "User-Agent: ReturnPathFBL/1.0\nAbuse-Type: complaint\nVersion: 1\n"
    report = parse_report(arf_message(feedback=feedback), context())
    assert report.mapping_key == "arf:abuse" and any("Abuse-Type" in n for n in report.notes)


def test_keys_from_a_feedback_report() -> None:
    report = parse_report(arf_message(), context())
    assert report.keys.feedback_tokens == (TOKEN,)
    assert report.keys.message_ids == ("campaign-7-alice@tenant.example",)
    assert report.keys.sending_ips[0].ip == "198.51.100.7"
    assert "tenant.example" in report.keys.domains
    assert report.keys.urls == ("https://shop.tenant.example/sale",)
    assert report.reporter.domain == "isp.example" and report.reporter.user_agent == "TestFBL/1.0"
    assert report.original is not None and b"Big sale" in report.original.raw
    assert report.campaign_key is not None


def test_the_same_report_resent_through_another_relay_has_the_same_digest() -> None:
    first = parse_report(arf_message(), context())
    again = parse_report(
        b"Received: from relay.example by mx; Fri, 20 Nov 2026 11:00:00 +0000\n"
        + arf_message(message_id="<other-envelope@isp.example>").replace(b"\n", b"\r\n"),
        context(source_ip="203.0.113.9"),
    )
    assert first.digest == again.digest


def test_complaints_about_one_campaign_share_a_campaign_key() -> None:
    def about(recipient: str, number: int) -> bytes:
        original = (
            f"From: Shop <news@tenant.example>\nTo: {recipient}\n"
            f"Subject: Big sale {number}\nMessage-ID: <c-{recipient}@tenant.example>\n\nBuy.\n"
        )
        return arf_message(original=original)

    a = parse_report(about("alice@isp.example", 2026), context())
    b = parse_report(about("bob@isp.example", 2027), context())
    assert a.digest != b.digest and a.campaign_key == b.campaign_key


@pytest.mark.parametrize(
    ("feedback", "field"),
    [
        ("User-Agent: x/1\nVersion: 1\n", "Feedback-Type"),
        ("Feedback-Type: ab use!\nVersion: 1\n", "Feedback-Type"),
        ("Feedback-Type: abuse\nSource-IP: 999.1.1.1\n", "Source-IP"),
    ],
)
def test_bad_feedback_fields_are_rejected_by_name(feedback: str, field: str) -> None:
    with pytest.raises(Rejection) as info:
        parse_report(arf_message(feedback=feedback), context())
    assert info.value.field == field
