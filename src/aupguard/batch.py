"""Many events per call, with exactly the semantics of evaluating and applying one by one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from aupguard.detectors.context import Context, Directory
from aupguard.engine import Engine
from aupguard.events.model import Event
from aupguard.rules.verdict import Verdict
from aupguard.state.base import StateStore
from aupguard.state.prefetch import Prefetched

CHUNK = 1000  # events per round trip on a shared store


@runtime_checkable
class FetchesAhead(Protocol):
    """A shared store (Redis) that reads a batch's keys in one round trip and writes its
    observations in another (`RedisState`, `state/prefetch.py`)."""

    def fetch_ahead(
        self, keys: Sequence[tuple[str, str]], event_ids: Sequence[str]
    ) -> Prefetched: ...

    def commit(self, batch: Prefetched) -> list[bool]: ...


def evaluate_batch(
    engine: Engine,
    events: Sequence[Event],
    state: StateStore,
    directory: Directory | None = None,
    chunk: int = CHUNK,
) -> list[Verdict]:
    """Judge `events` in order; each sees the state its predecessors left.

    Observations are applied once per event id, on the event's own time, right after it
    is judged, as the decision component does; a redelivered id changes nothing. Only the
    verdicts are kept (the views are dropped as soon as an event is judged, which keeps a
    batch of many thousand records cheap to hold).

    On a store that fetches ahead (Redis), each `chunk` of events is judged against a
    local copy of the keys its detectors declared (`Detector.reads`), fetched in one
    round trip, with the chunk's own writes visible to its later events; the chunk's
    observations then go to the store in one pipeline, each event applied once.
    """
    if not isinstance(state, FetchesAhead):
        return _one_store(engine, events, state, directory)
    out: list[Verdict] = []
    for start in range(0, len(events), chunk):
        part = events[start : start + chunk]
        keys: dict[tuple[str, str], None] = {}
        for event in part:
            for detector, _ in engine.by_channel[event.channel]:
                keys.update(dict.fromkeys(detector.reads(event)))
        local = state.fetch_ahead(list(keys), [e.id for e in part])
        out += _one_store(engine, part, local, directory)
        state.commit(local)
    return out


def _one_store(
    engine: Engine, events: Sequence[Event], state: StateStore, directory: Directory | None
) -> list[Verdict]:
    out: list[Verdict] = []
    for event in events:
        evaluation = engine.evaluate(event, Context(state, directory, event.time))
        state.apply(event.id, evaluation.observations, event.time)
        out.append(evaluation.verdict)
    return out
