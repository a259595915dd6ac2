"""Sent, complaint and bounce counters end to end: decide messages, take reports about them,
and the tenant's next message carries the rate signal the bulk detector reads."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from aupguard.detectors.bulk import BulkDetector
from aupguard.events.model import Channel, EmailContent, Event
from aupguard.rules.model import Ruleset
from tests.enforce.helpers import T0, ruleset_with_model
from tests.reports.desk import Desk, as_sent, desk, mail, send
from tests.reports.helpers import arf_message, signed
from tests.reports.test_rates import _dsn

SENT = 20


def _small_rates() -> Ruleset:
    """The shipped ruleset with rates judged from 10 messages on (the shipped: 1,000)."""
    data = ruleset_with_model().model_dump(mode="json")
    data["detectors"]["bulk"]["options"].update(
        complaint_min_sent=10, complaint_rate=0.1, bounce_min_sent=10, bounce_rate=0.1
    )
    return Ruleset.model_validate(data)


def _desk(db_url: str, tmp: Path) -> Desk:
    return desk(db_url, tmp, ruleset=_small_rates(), detectors=(BulkDetector,))


def _next(k: Desk, n: int = 999) -> set[str]:
    """The signals of the tenant's next message, two hours after the first ones."""
    event = Event(
        id=f"acme-next-{n}",
        channel=Channel.EMAIL,
        tenant="acme",
        time=T0 + timedelta(hours=2),
        content=EmailContent(mail(n), client_ip="198.51.100.7", rcpt_to=(f"u{n}@isp.example",)),
    )
    verdict = k.decider.decide(event).verdict
    assert verdict is not None
    return {s.name for s in verdict.signals}


def test_authenticated_complaints_resolved_to_the_tenant_raise_its_complaint_rate(
    db_url: str, tmp_path: Path
) -> None:
    k = _desk(db_url, tmp_path)
    decisions = [send(k.decider, n) for n in range(SENT)]
    assert k.decider.state.count("sent:acme", 86_400, T0 + timedelta(hours=2)) == SENT
    # one complaint (5 %) is under the 10 % in the test ruleset
    k.take(signed(arf_message(original=as_sent(0, decisions[0]), message_id="<r0@isp.example>")))
    assert "COMPLAINT_RATE_HIGH" not in _next(k, 900)
    # an unauthenticated copy of a complaint counts for nothing
    k.take(
        arf_message(original=as_sent(1, decisions[1]), message_id="<r1@isp.example>"),
        authenticated=False,
    )
    assert k.decider.state.count("complaints:acme", 86_400, T0 + timedelta(hours=2)) == 1
    for n in (2, 3):
        raw = signed(arf_message(original=as_sent(n, decisions[n]), message_id=f"<r{n}@isp>"))
        k.take(raw)
        k.take(raw)  # the same report again: a duplicate, counted once
    assert k.decider.state.count("complaints:acme", 86_400, T0 + timedelta(hours=2)) == 3
    signals = _next(k)  # 3 complaints / 21 sent = 14 %
    assert "COMPLAINT_RATE_HIGH" in signals and "BOUNCE_RATE_HIGH" not in signals


def test_hard_bounces_resolved_through_the_send_log_raise_the_bounce_rate(
    db_url: str, tmp_path: Path
) -> None:
    k = _desk(db_url, tmp_path)
    decisions = [send(k.decider, n) for n in range(SENT)]
    for n, status in ((0, "5.1.1"), (1, "5.1.1"), (2, "4.2.2"), (3, "4.2.2"), (4, "4.2.2")):
        token = decisions[n].feedback_token
        assert token is not None
        k.take(_dsn(token, status))
    # soft bounces are retried and usually delivered: only the two hard ones count (10 %)
    assert k.decider.state.count("bounces:acme", 86_400, T0 + timedelta(hours=2)) == 2
    signals = _next(k)
    assert "BOUNCE_RATE_HIGH" in signals and "COMPLAINT_RATE_HIGH" not in signals


def test_a_replayed_decision_counts_its_message_once(db_url: str, tmp_path: Path) -> None:
    k = _desk(db_url, tmp_path)
    send(k.decider, 1)
    replay = send(k.decider, 1)
    assert replay.replayed
    assert k.decider.state.count("sent:acme", 86_400, T0 + timedelta(hours=2)) == 1
