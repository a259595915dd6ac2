"""Every notice template against its golden file; the statement of reasons is complete."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime

import pytest

from aupguard.aup.load import load_document
from aupguard.notify.notices import (
    ActionNotice,
    AppealOutcomeNotice,
    AppealRoute,
    AupChangeNotice,
    ClauseText,
    EvidenceLine,
    OperatorAlert,
    ViolationNotice,
)
from aupguard.notify.templates import render
from tests.conftest import Golden

WHEN = datetime(2026, 11, 2, 9, 14, tzinfo=UTC)
DOCUMENT = load_document(None)
MALWARE = ClauseText.of(DOCUMENT, "malware")
EVIDENCE = (
    EvidenceLine("matched the EICAR anti-virus test signature", "attachment 1 (invoice.com)"),
    EvidenceLine("sent to 1 recipient", "envelope", "j***@example.org"),
)
FACTS = (
    "On 2026-11-02 at 09:12 UTC your account sent an e-mail (event evt-8841) with a file "
    "attached that our malware scanner identified as malicious code.",
)

NOTICES = {
    "violation": ViolationNotice(
        tenant_name="Acme Support Ltd",
        case_ref="AUP-000012",
        clause=MALWARE,
        event_id="evt-8841",
        channel="email",
        event_time=WHEN,
        facts=FACTS,
        evidence=EVIDENCE,
        detected_automatically=True,
        what_next="A reviewer looks at the case within 24 hours. Further violations of "
        "this clause may lead to a restriction or suspension of your e-mail service.",
        respond_url="https://abuse.platform.example/cases/AUP-000012",
    ),
    "action-suspend": ActionNotice(
        tenant_name="Acme Support Ltd",
        action_ref="ACT-000034",
        action="suspend",
        scope="channel",
        target="email",
        effective_at=WHEN,
        case_ref="AUP-000012",
        clause=MALWARE,
        facts=FACTS,
        evidence=EVIDENCE,
        detected_automatically=True,
        decided_automatically=True,
        what_next="Outgoing e-mail from your account is blocked until the case is resolved. "
        "SMS, chat and voice are not affected. A reviewer looks at the case within 4 hours.",
        appeal=AppealRoute(
            "ACT-000034", "https://abuse.platform.example/appeal/ACT-000034", date(2026, 12, 2)
        ),
    ),
    "action-restrict": ActionNotice(
        tenant_name="Acme Support Ltd",
        action_ref="ACT-000035",
        action="restrict",
        scope="identity",
        target="news.acme.example",
        restriction="throttle",
        effective_at=WHEN,
        until=datetime(2026, 11, 9, 9, 14, tzinfo=UTC),
        case_ref="AUP-000013",
        clause=ClauseText.of(DOCUMENT, "message-abuse"),
        facts=("412 recipients reported messages from news.acme.example as spam in 24 hours.",),
        evidence=(),
        detected_automatically=False,
        decided_automatically=False,
        what_next="Messages from news.acme.example are sent at most 100 per hour for 7 days.",
        appeal=AppealRoute("ACT-000035", "https://abuse.platform.example/appeal/ACT-000035"),
    ),
    "action-reinstate": ActionNotice(
        tenant_name="Acme Support Ltd",
        action_ref="ACT-000036",
        action="reinstate",
        scope="channel",
        target="email",
        effective_at=WHEN,
        case_ref="AUP-000012",
        clause=MALWARE,
        facts=("Your appeal APL-000005 was granted.",),
        evidence=(),
        detected_automatically=True,
        decided_automatically=False,
        what_next="Your e-mail service works again.",
        appeal=None,
    ),
    "appeal-overturned": AppealOutcomeNotice(
        tenant_name="Acme Support Ltd",
        appeal_ref="APL-000005",
        action_ref="ACT-000034",
        case_ref="AUP-000012",
        outcome="overturned",
        reason="The attachment was the EICAR test file sent to your own security team as "
        "part of an agreed test, which our policy allows.",
        decided_at=WHEN,
        what_next="Your e-mail service is reinstated; the strike is removed from your record.",
    ),
    "appeal-upheld": AppealOutcomeNotice(
        tenant_name="Acme Support Ltd",
        appeal_ref="APL-000006",
        action_ref="ACT-000035",
        case_ref="AUP-000013",
        outcome="upheld",
        reason="The complaint rate stayed above 0.3 % after the first warning.",
        decided_at=WHEN,
        what_next="The restriction ends on 2026-11-09 as announced.",
    ),
    "aup-change": AupChangeNotice(
        tenant_name="Acme Support Ltd",
        title=DOCUMENT.title,
        version="1.1",
        effective=date(2026, 12, 1),
        previous_version="1.0",
        changes=(
            "Phishing and identity theft: one-time codes are named explicitly.",
            "New clause: automated calls without prior consent.",
        ),
        document_url="https://platform.example/legal/aup/1.1",
        accept_url="https://platform.example/legal/aup/1.1/accept",
    ),
    "operator-alert": OperatorAlert(
        brake="auto-suspend-rate",
        clause="malware",
        observed=14,
        threshold=5,
        window="10 minutes",
        tripped_at=WHEN,
        held_actions=9,
        console_url="https://aupguard.internal.example/review?held=1",
        detail="Most held actions come from detector clamav 1.4 since 09:02 UTC.",
    ),
}


@pytest.mark.parametrize("name", sorted(NOTICES))
def test_template_golden(name: str, golden: Golden) -> None:
    rendered = render(NOTICES[name])
    payload = json.dumps(rendered.payload, indent=2, sort_keys=True, ensure_ascii=False)
    text = f"Topic: {rendered.topic}\nSubject: {rendered.subject}\n\n{rendered.body}\n--- payload\n{payload}\n"
    golden.check(f"notify/{name}.txt", text)
    assert all(len(line) <= 78 for line in rendered.body.splitlines()), "lines too long for mail"


def test_statement_of_reasons_has_every_part() -> None:
    body = render(NOTICES["action-suspend"]).body
    for part in (
        "STATEMENT OF REASONS",
        "Facts and circumstances",
        "Evidence",
        "Distributing computer viruses, worms, trojan horses or other malicious code.",
        "version 1.0",
        "The decision was taken automatically",
        "What happens next",
        "https://abuse.platform.example/appeal/ACT-000034, quoting ACT-000034",
    ):
        assert part in re.sub(r"\s*\n\s*(>\s*)?", " ", body), part


def test_an_action_without_an_appeal_route_is_refused() -> None:
    with pytest.raises(ValueError, match="must say how to appeal"):
        ActionNotice(
            tenant_name="x",
            action_ref="a",
            action="suspend",
            scope="tenant",
            target="*",
            effective_at=WHEN,
            case_ref="c",
            clause=MALWARE,
            facts=(),
            evidence=(),
            detected_automatically=True,
            decided_automatically=True,
            what_next="",
            appeal=None,
        )


def test_aup_change_says_use_accepts_it() -> None:
    body = render(NOTICES["aup-change"]).body.replace("\n  ", " ")
    assert "Using the services after it takes effect accepts it." in body
