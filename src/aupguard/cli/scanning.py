"""Scan files with the engine, in this process or in a pool of worker processes."""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from aupguard.aup.model import AupDocument
from aupguard.auth.resolver import Resolver
from aupguard.detectors.context import Context
from aupguard.engine import Engine
from aupguard.errors import InputError
from aupguard.events.email import EmailView
from aupguard.events.model import Channel
from aupguard.events.sources import read_file
from aupguard.rules.model import Ruleset
from aupguard.settings import Settings
from aupguard.state.memory import MemoryState


class Rollup(StrEnum):
    """Which events of a file remember what earlier events of the same file showed."""

    ACTIVITY = "activity"  # flows, HTTP requests, auth attempts, call records
    ALL = "all"  # every channel (SMS pumping, bulk behaviour within one file)
    NONE = "none"  # every event judged alone


ACTIVITY_CHANNELS = frozenset({Channel.FLOW, Channel.HTTP, Channel.AUTH, Channel.CALL})


@dataclass(frozen=True, slots=True)
class ScanRow:
    """One scanned event (or one input that could not be read: `error` set)."""

    source: str
    event_id: str = ""
    channel: str = ""
    action: str = ""
    clauses: tuple[str, ...] = ()
    scores: dict[str, float] = field(default_factory=dict)
    signals: tuple[str, ...] = ()
    explanation: tuple[str, ...] = ()
    error: str | None = None
    warning: str | None = None


_engine: Engine | None = None
_resolver: Resolver | None = None
_rollup = Rollup.ACTIVITY


def _init(document: AupDocument, ruleset: Ruleset, rollup: Rollup = Rollup.ACTIVITY) -> None:
    global _engine, _resolver, _rollup
    _engine = Engine(ruleset, document)
    _resolver = Settings().resolver()  # AUPGUARD_DNS: off by default, no network
    _rollup = rollup


def scan_path(path: Path) -> list[ScanRow]:
    """Every event in one file. Nothing persists: with a roll-up, events of the file share
    an in-memory state (so scans and floods add up) that is dropped after the file."""
    assert _engine is not None, "worker not initialised"
    rows: list[ScanRow] = []
    state = None if _rollup is Rollup.NONE else MemoryState()
    for item in read_file(path):
        if isinstance(item, InputError):
            rows.append(ScanRow(source=item.source or str(path), error=item.reason))
            continue
        remember = state is not None and (
            _rollup is Rollup.ALL or item.channel in ACTIVITY_CHANNELS
        )
        try:
            if state is not None and remember:
                ctx = Context(state=state, resolver=_resolver, now=item.time)
                evaluation = _engine.evaluate(item, ctx)
                state.apply(item.id, evaluation.observations, item.time)
            else:
                ctx = Context(resolver=_resolver, now=item.time)
                evaluation = _engine.evaluate(item, ctx, dry_run=True)
        except Exception as exc:  # the engine must not die on one input: report, go on
            rows.append(ScanRow(source=item.source, error=f"internal error: {exc!r}"))
            continue
        v = evaluation.verdict
        warning = None
        views = evaluation.views
        if isinstance(views, EmailView) and views.is_truncated:
            warning = "truncated or malformed MIME (" + ", ".join(sorted(set(views.defects)))
            warning += "); scanned what was readable"
        rows.append(
            ScanRow(
                source=item.source,
                event_id=item.id,
                channel=item.channel.value,
                action=v.action.label,
                clauses=tuple(c.clause for c in v.violated),
                scores=v.scores,
                signals=tuple(sorted({s.name for s in v.signals})),
                explanation=v.explanation,
                warning=warning,
            )
        )
    return rows


def scan_files(
    files: list[Path],
    document: AupDocument,
    ruleset: Ruleset,
    jobs: int,
    on_file: Callable[[], None] = lambda: None,
    rollup: Rollup = Rollup.ACTIVITY,
) -> Iterator[ScanRow]:
    """Rows in input order; `jobs` > 1 spreads files over that many processes."""
    if jobs <= 1 or len(files) < 2:
        _init(document, ruleset, rollup)
        for path in files:
            yield from scan_path(path)
            on_file()
        return
    ctx = mp.get_context("fork") if hasattr(mp, "get_context") else mp
    chunk = max(1, min(64, len(files) // (jobs * 8) or 1))
    with ctx.Pool(jobs, initializer=_init, initargs=(document, ruleset, rollup)) as pool:
        for rows in pool.imap(scan_path, files, chunksize=chunk):
            yield from rows
            on_file()
