"""Scan files with the engine, in this process or in a pool of worker processes."""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from aupguard.aup.model import AupDocument
from aupguard.auth.resolver import Resolver
from aupguard.detectors.context import Context
from aupguard.engine import Engine
from aupguard.errors import InputError
from aupguard.events.email import EmailView
from aupguard.events.sources import read_file
from aupguard.rules.model import Ruleset
from aupguard.settings import Settings


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


def _init(document: AupDocument, ruleset: Ruleset) -> None:
    global _engine, _resolver
    _engine = Engine(ruleset, document)
    _resolver = Settings().resolver()  # AUPGUARD_DNS: off by default, no network


def scan_path(path: Path) -> list[ScanRow]:
    """Every event in one file, judged as a dry run (scanning changes no state)."""
    assert _engine is not None, "worker not initialised"
    rows: list[ScanRow] = []
    for item in read_file(path):
        if isinstance(item, InputError):
            rows.append(ScanRow(source=item.source or str(path), error=item.reason))
            continue
        try:
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
) -> Iterator[ScanRow]:
    """Rows in input order; `jobs` > 1 spreads files over that many processes."""
    if jobs <= 1 or len(files) < 2:
        _init(document, ruleset)
        for path in files:
            yield from scan_path(path)
            on_file()
        return
    ctx = mp.get_context("fork") if hasattr(mp, "get_context") else mp
    chunk = max(1, min(64, len(files) // (jobs * 8) or 1))
    with ctx.Pool(jobs, initializer=_init, initargs=(document, ruleset)) as pool:
        for rows in pool.imap(scan_path, files, chunksize=chunk):
            yield from rows
            on_file()
