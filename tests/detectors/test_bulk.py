"""Bulk behaviour: a personalised campaign among normal tenants, flagged only when it misses a requirement."""

from __future__ import annotations

from collections.abc import Iterator

from aupguard.aup.load import load_document
from aupguard.detectors.bulk import BulkDetector
from aupguard.detectors.registry import Registry
from aupguard.engine import Engine
from aupguard.events.model import Event
from aupguard.rules.load import load_ruleset
from aupguard.rules.model import Action
from aupguard.rules.verdict import Verdict
from aupguard.signals import Observation
from aupguard.state.memory import MemoryState
from tests.detectors.traffic import FakeAuth, campaign, drive, interleave, normal

_DOC = load_document()
_RULES = load_ruleset(document=_DOC)


def bulk_engine() -> Engine:
    return Engine(_RULES, _DOC, Registry([BulkDetector, FakeAuth]))


def with_send_log(state: MemoryState, events: list[Event], complaint_every: int) -> Iterator[Event]:
    """What the lead's send log and report intake will feed: sent and complaint counts."""
    sent = 0
    for event in events:
        yield event
        if event.tenant == "blast":
            sent += 1
            obs = [Observation("count", "sent:blast", ttl_s=86_400)]
            if sent % complaint_every == 0:
                obs.append(Observation("count", "complaints:blast", ttl_s=86_400))
            state.apply(f"log-{event.id}", obs, event.time)


def message_abuse(verdict: Verdict) -> tuple[Action, set[str]]:
    clause = next(c for c in verdict.clauses if c.clause == "message-abuse")
    return clause.action, {name for name, value in clause.contributors if value > 0}


def test_campaign_without_requirements_is_flagged_within_a_few_hundred_messages() -> None:
    state = MemoryState()
    events = interleave(campaign(), normal())
    first_flag: int | None = None
    flagged_after = total_after = 0
    named: set[str] = set()
    for event, verdict in drive(bulk_engine(), state, with_send_log(state, events, 50)):
        action, contributors = message_abuse(verdict)
        if event.tenant != "blast":
            assert verdict.action is Action.ALLOW, (event.id, verdict.explanation)
            continue
        index = int(event.id.rsplit("-", 1)[1])
        if action >= Action.FLAG and first_flag is None:
            first_flag = index
        if first_flag is not None:
            total_after += 1
            flagged_after += action >= Action.FLAG
            named |= contributors
    assert first_flag is not None and first_flag < 300, first_flag
    assert flagged_after / total_after > 0.99
    assert {
        "BULK_WITHOUT_ONE_CLICK_UNSUBSCRIBE",
        "BULK_WITHOUT_ALIGNED_AUTHENTICATION",
        "BULK_WITH_HIGH_COMPLAINT_RATE",  # 2 % complaints once 1,000 were sent
    } <= named


def test_compliant_campaign_stays_allowed() -> None:
    state = MemoryState()
    events = interleave(campaign(one_click=True, auth_ok=True), normal())
    bulk_seen = 0
    for event, verdict in drive(bulk_engine(), state, with_send_log(state, events, 2000)):
        assert verdict.action is Action.ALLOW, (event.id, verdict.explanation)
        bulk_seen += any(s.name == "BULK_SENDING" for s in verdict.signals)
    assert bulk_seen > 4000  # recognised as bulk all along, and allowed


def test_missing_authentication_alone_is_named() -> None:
    state = MemoryState()
    events = list(campaign(n=600, minutes=2, one_click=True, auth_ok=False))
    verdicts = [v for _, v in drive(bulk_engine(), state, events)]
    action, named = message_abuse(verdicts[-1])
    assert action >= Action.FLAG
    assert named == {"BULK_WITHOUT_ALIGNED_AUTHENTICATION"}
    assert any("BULK_WITHOUT_ALIGNED_AUTHENTICATION" in line for line in verdicts[-1].explanation)
