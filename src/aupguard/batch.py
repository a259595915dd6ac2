"""Many events per call, with exactly the semantics of evaluating and applying one by one."""

from __future__ import annotations

from collections.abc import Sequence

from aupguard.detectors.context import Context, Directory
from aupguard.engine import Engine, Evaluation
from aupguard.events.model import Event
from aupguard.state.base import StateStore


def evaluate_batch(
    engine: Engine,
    events: Sequence[Event],
    state: StateStore,
    directory: Directory | None = None,
) -> list[Evaluation]:
    """Judge `events` in order; each sees the state its predecessors left.

    Observations are applied once per event id, on the event's own time, right after it
    is judged, as the decision component does; a redelivered id changes nothing.
    """
    out: list[Evaluation] = []
    for event in events:
        evaluation = engine.evaluate(event, Context(state, directory, event.time))
        state.apply(event.id, evaluation.observations, event.time)
        out.append(evaluation)
    return out
