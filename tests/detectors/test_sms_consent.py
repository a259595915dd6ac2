"""SMS consent: STOP blocks citing message-abuse, START lifts it, HELP is answered, quiet hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aupguard.aup.load import load_document
from aupguard.detectors.context import Context
from aupguard.detectors.phone import local_time, normalise_number
from aupguard.detectors.registry import Registry
from aupguard.detectors.sms_consent import SmsConsentDetector
from aupguard.engine import Engine
from aupguard.events.model import Channel, Direction, Event, MessageContent
from aupguard.rules.load import load_ruleset
from aupguard.rules.model import Action
from aupguard.signals import Observation
from aupguard.state.memory import MemoryState
from tests.detectors.traffic import drive

TENANT_NUMBER = "+14155550100"
CUSTOMER = "+14155550199"
NOON_SF = datetime(2026, 11, 2, 20, 0, tzinfo=UTC)  # 12:00 in San Francisco


def outbound(
    event_id: str,
    when: datetime,
    text: str = "Your table is ready",
    to: str = CUSTOMER,
    workload: str | None = None,
) -> Event:
    content = MessageContent(text, sender_id=TENANT_NUMBER, recipient=to)
    return Event(event_id, Channel.SMS, content, when, "t1", workload=workload)


def inbound(event_id: str, when: datetime, text: str, to: str = TENANT_NUMBER) -> Event:
    content = MessageContent(text, sender_id=CUSTOMER, recipient=to)
    return Event(
        event_id, Channel.SMS, content, when, "t1", direction=Direction.INBOUND, sender=CUSTOMER
    )


def engine() -> Engine:
    doc = load_document()
    return Engine(load_ruleset(document=doc), doc, Registry([SmsConsentDetector]))


def run(events: list[Event], state: MemoryState | None = None) -> list[Action]:
    state = state or MemoryState()
    return [v.action for _, v in drive(engine(), state, events)]


def test_stop_blocks_citing_message_abuse_and_start_lifts_it() -> None:
    t = NOON_SF
    state = MemoryState()
    events = [
        outbound("o1", t),
        inbound("i1", t + timedelta(minutes=1), "Stop"),
        outbound("o2", t + timedelta(minutes=2)),
        inbound("i2", t + timedelta(minutes=3), "START"),
        outbound("o3", t + timedelta(minutes=4)),
    ]
    verdicts = [v for _, v in drive(engine(), state, events)]
    assert [v.action for v in verdicts] == [Action.ALLOW] * 2 + [Action.BLOCK] + [Action.ALLOW] * 2
    blocked = verdicts[2]
    assert [c.clause for c in blocked.violated] == ["message-abuse"]
    sig = next(s for s in blocked.signals if s.name == "OPTED_OUT_RECIPIENT")
    assert sig.deterministic and "STOP" in sig.evidence[0].detail
    assert any(s.name == "SMS_OPT_OUT_RECEIVED" for s in verdicts[1].signals)


def test_retries_of_a_blocked_message_add_nothing() -> None:
    state = MemoryState()
    stop = inbound("i1", NOON_SF, "STOP")
    retry = outbound("o1", NOON_SF + timedelta(minutes=1))
    actions = run([stop, retry, retry, retry], state)
    assert actions[1:] == [Action.BLOCK] * 3
    assert state.apply("o1", [], NOON_SF) is False  # the event id was applied once


@pytest.mark.parametrize(
    "word", ["STOP", "stop.", "Arrêt", "BAJA", "unsubscribe", "Stop all", "QUIT"]
)
def test_localised_and_messy_opt_out_keywords(word: str) -> None:
    actions = run([inbound("i", NOON_SF, word), outbound("o", NOON_SF + timedelta(seconds=5))])
    assert actions[1] is Action.BLOCK


@pytest.mark.parametrize("text", ["Stop by the shop tomorrow please", "don't stop", "STOPPING"])
def test_sentences_are_not_keywords(text: str) -> None:
    actions = run([inbound("i", NOON_SF, text), outbound("o", NOON_SF + timedelta(seconds=5))])
    assert actions[1] is Action.ALLOW


def test_scope_is_the_number_unless_stopall() -> None:
    other_number = "+14155550111"
    other = Event(
        "o2",
        Channel.SMS,
        MessageContent("hi", sender_id=other_number, recipient=CUSTOMER),
        NOON_SF + timedelta(minutes=1),
        "t1",
    )
    assert run([inbound("i", NOON_SF, "STOP"), other])[1] is Action.ALLOW
    other_all = Event(
        "o3",
        Channel.SMS,
        MessageContent("hi", sender_id=other_number, recipient=CUSTOMER),
        NOON_SF + timedelta(minutes=1),
        "t1",
    )
    assert run([inbound("i", NOON_SF, "STOPALL"), other_all])[1] is Action.BLOCK


def test_help_is_a_hint_for_the_gateway() -> None:
    found = SmsConsentDetector().check(
        __import__("aupguard.events.normalize", fromlist=["views_for"]).views_for(
            inbound("i", NOON_SF, "help")
        ),
        Context(),
    )
    assert [s.name for s in found] == ["SMS_HELP_REQUESTED"]  # type: ignore[union-attr]


def test_marks_use_the_documented_keys() -> None:
    from aupguard.events.normalize import views_for

    found = SmsConsentDetector().check(views_for(inbound("i", NOON_SF, "STOP")), Context())
    marks = [f for f in found if isinstance(f, Observation)]
    assert [m.key for m in marks] == [f"consent:num:{TENANT_NUMBER}:{CUSTOMER}"]
    assert marks[0].kind == "mark" and marks[0].member.startswith("STOP 2026-11-02T20:00")


def test_quiet_hours_in_the_recipients_time_zone_defer() -> None:
    night_sf = datetime(2026, 11, 3, 6, 30, tzinfo=UTC)  # 22:30 in San Francisco
    assert run([outbound("o", night_sf)]) == [Action.DEFER]
    assert run([outbound("o", night_sf, workload="otp")]) == [Action.ALLOW]  # exempt
    paris = "+33612345678"  # 07:30 in Paris: quiet until 08:00
    assert run([outbound("p", night_sf, to=paris)]) == [Action.DEFER]
    assert run([outbound("p", night_sf + timedelta(hours=1), to=paris)]) == [Action.ALLOW]


def test_numbers_and_time_zones() -> None:
    assert normalise_number("(415) 555-0199", "US") == CUSTOMER
    assert normalise_number("ACME") == "ACME"
    assert normalise_number("  ") is None
    assert local_time("+442071234567", NOON_SF).hour == 20  # type: ignore[union-attr]
    assert local_time("12345", NOON_SF) is None  # no country code: unknown


@given(st.text(max_size=200))
@settings(max_examples=200, deadline=None)
def test_any_inbound_text_is_handled(text: str) -> None:
    from aupguard.events.normalize import views_for

    found = SmsConsentDetector().check(views_for(inbound("i", NOON_SF, text)), Context())
    assert all(not isinstance(f, Observation) or f.key.startswith("consent:") for f in found)
