"""Form and API submissions: validated by field, mapped to the clause the reporter chose."""

from __future__ import annotations

import json

import pytest

from aupguard.errors import Rejection
from aupguard.reports.authenticate import Route, route
from aupguard.reports.form import parse_submission
from aupguard.reports.model import ReportKind
from tests.reports.helpers import context

CLAUSES = frozenset({"phishing", "message-abuse"})


def test_form_submission_becomes_a_triaged_report() -> None:
    body = {
        "category": "phishing",
        "description": "This page asks for my bank password: https://bank-login.example/x",
        "reporter_email": "Zoe@mail.example",
        "sending_ips": ["192.0.2.10"],
        "phone_numbers": ["+44 20 7946 0958"],
    }
    report = parse_submission(json.dumps(body).encode(), context(clauses=CLAUSES))
    assert report.kind is ReportKind.FORM and report.clause == "phishing"
    assert report.reporter.address == "zoe@mail.example"
    assert "https://bank-login.example/x" in report.keys.urls
    assert report.keys.phones == ("+442079460958",)
    assert route(report) is Route.TRIAGE


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"category": "phishing"}, "description"),
        ({"category": "Phish!", "description": "long enough text"}, "category"),
        ({"category": "violence", "description": "long enough text"}, "category"),
        ({"category": "phishing", "description": "long enough text", "extra": 1}, "extra"),
        (
            {"category": "phishing", "description": "long enough text", "sending_ips": ["x"]},
            "sending_ips[0]",
        ),
    ],
)
def test_bad_submissions_are_rejected_by_field(body: dict[str, object], field: str) -> None:
    with pytest.raises(Rejection) as info:
        parse_submission(body, context(clauses=CLAUSES), kind="api")
    assert info.value.field == field
