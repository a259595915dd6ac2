"""Many events per call, with exactly the semantics of evaluating and applying one by one."""

from __future__ import annotations

from collections.abc import Sequence

from aupguard.detectors.context import Context, Directory
from aupguard.engine import Engine
from aupguard.events.model import Event
from aupguard.rules.verdict import Verdict
from aupguard.state.base import StateStore


def evaluate_batch(
    engine: Engine,
    events: Sequence[Event],
    state: StateStore,
    directory: Directory | None = None,
) -> list[Verdict]:
    """Judge `events` in order; each sees the state its predecessors left.

    Observations are applied once per event id, on the event's own time, right after it
    is judged, as the decision component does; a redelivered id changes nothing. Only the
    verdicts are kept (the views are dropped as soon as an event is judged, which keeps a
    batch of many thousand records cheap to hold).
    """
    out: list[Verdict] = []
    for event in events:
        evaluation = engine.evaluate(event, Context(state, directory, event.time))
        state.apply(event.id, evaluation.observations, event.time)
        out.append(evaluation.verdict)
    return out
