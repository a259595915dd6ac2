"""Property tests: on any input, the parsers return a Report or raise a Rejection, nothing else."""

from __future__ import annotations

import json
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aupguard.errors import Rejection
from aupguard.reports.mailbox import parse_report
from aupguard.reports.model import Report
from aupguard.reports.xarf import parse_xarf
from tests.reports.helpers import arf_message, context

CTX = context()
SETTINGS = settings(
    max_examples=int(os.environ.get("AUPGUARD_HYPOTHESIS_EXAMPLES", "100")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=30,
)
XARF_KEYS = [
    "xarf_version",
    "Version",
    "Report",
    "ReporterInfo",
    "category",
    "type",
    "reporter",
    "sender",
    "report_id",
    "timestamp",
    "source_identifier",
    "evidence",
    "ReportType",
]
xarf_like = st.dictionaries(st.sampled_from(XARF_KEYS), json_values, max_size=8)


def _either(data: bytes) -> None:
    try:
        assert isinstance(parse_report(data, CTX), Report)
    except Rejection as exc:
        assert exc.field and exc.reason


@SETTINGS
@given(st.binary(max_size=2000))
def test_arbitrary_bytes(data: bytes) -> None:
    _either(data)


@SETTINGS
@given(json_values)
def test_arbitrary_json(value: object) -> None:
    _either(json.dumps(value).encode())


@SETTINGS
@given(xarf_like)
def test_xarf_shaped_json(value: dict[str, object]) -> None:
    try:
        parse_xarf(json.dumps(value).encode(), CTX)
    except Rejection as exc:
        assert exc.field


field_names = st.sampled_from(
    [
        "Feedback-Type",
        "Version",
        "User-Agent",
        "Source-IP",
        "Arrival-Date",
        "Received-Date",
        "Reported-Domain",
        "Auth-Failure",
        "Original-Mail-From",
        "Reported-URI",
        "Abuse-Type",
    ]
)
field_values = st.text(
    alphabet=st.characters(codec="ascii", exclude_characters="\r\n"), max_size=40
)


@SETTINGS
@given(st.lists(st.tuples(field_names, field_values), max_size=8), st.text(max_size=300))
def test_arf_with_random_fields_and_original(fields: list[tuple[str, str]], original: str) -> None:
    feedback = "".join(f"{k}: {v}\n" for k, v in fields)
    _either(arf_message(feedback=feedback, original=original or None))


mime_chunks = st.sampled_from(
    [
        b"Content-Type: multipart/mixed; boundary=x\n",
        b"--x\n",
        b"--x--\n",
        b"\n",
        b"Content-Type: message/rfc822\n",
        b"Content-Type: message/delivery-status\n",
        b"Content-Type: message/feedback-report\n",
        b"Content-Transfer-Encoding: base64\n",
        b"Feedback-Type: abuse\n",
        b"Status: 5.1.1\n",
        b"Action: failed\n",
        b"From: a@b.example\n",
        b"Content-Type: application/json\n",
        b'{"xarf_version": "4.1.0"}\n',
        b"=?utf-8?q?x?=\n",
    ]
)


@SETTINGS
@given(st.lists(mime_chunks, max_size=40))
def test_mime_soup(chunks: list[bytes]) -> None:
    _either(b"From: x@y.example\nSubject: s\n" + b"".join(chunks))


submission_values = st.fixed_dictionaries(
    {"category": st.text(max_size=20), "description": st.text(max_size=200)},
    optional={
        "reporter_email": st.text(max_size=40),
        "sending_ips": st.lists(st.text(max_size=20), max_size=3),
        "urls": st.lists(st.text(max_size=40), max_size=3),
        "original": st.text(max_size=300),
        "occurred_at": st.text(max_size=30),
    },
)


@SETTINGS
@given(submission_values | json_values)
def test_form_submissions(value: object) -> None:
    from aupguard.reports.form import parse_submission

    try:
        parse_submission(json.dumps(value).encode(), CTX, kind="api")
    except Rejection as exc:
        assert exc.field
