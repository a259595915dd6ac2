"""War-dialing, robocall bursts and SMS pumping versus a normal calling campaign and normal codes."""

from __future__ import annotations

from datetime import timedelta

from aupguard.detectors.smspumping import is_one_time_code
from tests.detectors.activity import T0
from tests.detectors.telephony import (
    otp_traffic,
    outbound_campaign,
    pumping_burst,
    robocall_burst,
    sms,
    war_dialing,
)
from tests.replay import fired, flagged, replay


def test_normal_outbound_campaign_is_not_flagged() -> None:
    events = outbound_campaign(hours=2)
    assert len(events) > 4000
    assert flagged(replay(events)) == []


def test_war_dialing_is_caught_with_the_number_range() -> None:
    results = replay(war_dialing())
    names = fired(results)
    assert {"CALL_RANGE_SWEEP", "CALL_SHORT_ABANDONED", "CALL_UNASSIGNED_NUMBERS"} <= names
    sweep = next(s for s in results[-1].verdict.signals if s.name == "CALL_RANGE_SWEEP")
    assert "+155501002xx" in sweep.evidence[0].detail and "endings" in sweep.evidence[0].detail
    assert results[-1].verdict.action.label in ("hold", "block")
    assert [c.clause for c in results[-1].verdict.violated] == ["unauthorized-access"]


def test_war_dialing_hidden_in_a_campaign_is_still_caught() -> None:
    mixed = sorted(
        outbound_campaign(hours=1) + war_dialing(200, start=T0 + timedelta(minutes=20)),
        key=lambda e: e.time,
    )
    assert "CALL_RANGE_SWEEP" in fired(replay(mixed))


def test_robocall_burst_is_caught_as_message_abuse() -> None:
    results = replay(robocall_burst())
    assert "CALL_ROBOCALL_BURST" in fired(results)
    last = results[-1].verdict
    assert any(c.clause == "message-abuse" for c in last.violated)
    detail = next(s for s in last.signals if s.name == "CALL_ROBOCALL_BURST").evidence[0].detail
    assert "attestation C" in detail


def test_normal_codes_for_a_day_are_not_flagged() -> None:
    assert flagged(replay(otp_traffic())) == []


def test_sms_pumping_burst_is_caught_after_normal_history() -> None:
    history = otp_traffic(hours=26)
    burst = pumping_burst(start=history[-1].time + timedelta(minutes=1))
    results = replay(history + burst)
    assert flagged(results[: len(history)]) == []
    names = fired(results[len(history) :])
    assert {"SMS_OTP_RANGE_BURST", "SMS_DESTINATION_SURGE"} <= names
    last = results[-1].verdict
    # Pumping is fraud on carriers (illegal-harmful); the bulk detectors may add message-abuse.
    assert "illegal-harmful" in [c.clause for c in last.violated]
    assert last.action.label in ("hold", "block")
    burst_sig = next(s for s in last.signals if s.name == "SMS_OTP_RANGE_BURST")
    assert "+225070012" in burst_sig.evidence[0].detail


def test_premium_rate_destination_flags_any_message() -> None:
    (result,) = replay([sms(1, "+449090123456", "Hello from Acme", T0)])
    assert fired([result]) == {"SMS_PREMIUM_DESTINATION"} and result.verdict.action.label == "flag"


def test_one_time_code_texts() -> None:
    assert is_one_time_code("Your verification code is 123456")
    assert is_one_time_code("483920 is your Acme login code")
    assert not is_one_time_code("Your order 12345 has shipped")
    assert not is_one_time_code("See you at 10:30 on Monday")
