"""The batch API: the same verdicts and state as evaluating and applying one by one."""

from __future__ import annotations

from datetime import timedelta

from aupguard.batch import evaluate_batch
from aupguard.state.memory import MemoryState
from tests.detectors.activity import T0, benign_flows, slow_scan, vertical_scan
from tests.detectors.telephony import war_dialing
from tests.replay import default_engine, replay


def mixed_stream() -> list:  # type: ignore[type-arg]
    events = benign_flows(600) + vertical_scan(range(1, 60), start=T0 + timedelta(minutes=3))
    events += slow_scan(40) + war_dialing(80, start=T0 + timedelta(minutes=5))
    return sorted(events, key=lambda e: e.time)


def test_batch_matches_one_by_one() -> None:
    events = mixed_stream()
    engine = default_engine()
    batch = evaluate_batch(engine, events, MemoryState())
    single = [e.verdict for e in replay(events, MemoryState(), engine)]
    assert [(v.event_id, v.action, [s.name for s in v.signals]) for v in batch] == [
        (v.event_id, v.action, [s.name for s in v.signals]) for v in single
    ]
    assert sum(v.action.label != "allow" for v in batch) > 50


def test_redelivered_events_change_nothing() -> None:
    events = vertical_scan(range(1, 30))
    engine = default_engine()
    once, twice = MemoryState(), MemoryState()
    evaluate_batch(engine, events, once)
    evaluate_batch(engine, events + events, twice)  # every id delivered again
    key = "ps:t:acme/crm-sync/198.51.100.66"
    assert once.distinct(key, events[-1].time) == twice.distinct(key, events[-1].time) == 29
    walk = "trw:w:acme/crm-sync/198.51.100.66"
    assert once.count(walk, 3600, events[-1].time) == twice.count(walk, 3600, events[-1].time)
