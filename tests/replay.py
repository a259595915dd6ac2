"""Event-time replay for tests: evaluate, then apply the observations, one event at a time.

This is what the decision component does for state; any StateStore works (memory, Redis),
so the same scenario can run on one worker or be split over several stores' clients.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from aupguard.aup.load import load_document
from aupguard.detectors.context import Context
from aupguard.engine import Engine, Evaluation
from aupguard.events.model import Event
from aupguard.rules.load import load_ruleset
from aupguard.state.base import StateStore
from aupguard.state.memory import MemoryState


def default_engine() -> Engine:
    document = load_document()
    return Engine(load_ruleset(document=document), document)


def replay(
    events: Iterable[Event], state: StateStore | None = None, engine: Engine | None = None
) -> list[Evaluation]:
    """Each event judged on the state its predecessors left, then its observations applied."""
    engine = engine or default_engine()
    state = state if state is not None else MemoryState()
    out: list[Evaluation] = []
    for event in events:
        evaluation = engine.evaluate(event, Context(state=state, now=event.time))
        state.apply(event.id, evaluation.observations, event.time)
        out.append(evaluation)
    return out


def replay_workers(events: Sequence[Event], states: Sequence[StateStore]) -> list[Evaluation]:
    """Events dealt round-robin to one worker per state client, in event-time order: each
    worker has its own engine and its own client of the shared store (two Redis clients
    for the two-worker scenario; the same MemoryState twice stands in for it here)."""
    engines = [default_engine() for _ in states]
    out: list[Evaluation] = []
    for i, event in enumerate(events):
        worker = i % len(states)
        out += replay([event], states[worker], engines[worker])
    return out


def fired(evaluations: Iterable[Evaluation]) -> set[str]:
    """Every signal name any of the evaluations carries."""
    return {s.name for e in evaluations for s in e.verdict.signals}


def flagged(evaluations: Iterable[Evaluation]) -> list[Evaluation]:
    return [e for e in evaluations if e.verdict.action.label != "allow"]
