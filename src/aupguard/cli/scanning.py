"""Scan files with the engine, in this process or in a pool of worker processes."""

from __future__ import annotations

import csv
import hashlib
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
from aupguard.events.model import Channel, EmailContent, Event, MessageContent
from aupguard.events.sources import email_event, read_file
from aupguard.events.submission import as_submitted
from aupguard.rules.model import Ruleset
from aupguard.runtime import tune_gc
from aupguard.settings import Settings
from aupguard.state.memory import MemoryState


class Rollup(StrEnum):
    """Which events of a file remember what earlier events of the same file showed."""

    ACTIVITY = "activity"  # flows, HTTP requests, auth attempts, call records
    ALL = "all"  # every channel (SMS pumping, bulk behaviour within one file)
    NONE = "none"  # every event judged alone


ACTIVITY_CHANNELS = frozenset({Channel.FLOW, Channel.HTTP, Channel.AUTH, Channel.CALL})


class InputMode(StrEnum):
    """How `aupguard eval` turns input files into events."""

    AS_IS = "as-is"
    AS_SUBMITTED = "as-submitted"  # e-mail reduced to what a sender writes
    URLS = "urls"  # URL lists: one SMS event per URL


class Split(StrEnum):
    """Which part of each input `aupguard eval` reads (a stable hash per item)."""

    ALL = "all"
    DEV = "dev"  # 30 %: for developing rules and weights
    TEST = "test"  # the other 70 %: for reporting


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
_mode = InputMode.AS_IS
_split = Split.ALL


def _init(
    document: AupDocument,
    ruleset: Ruleset,
    rollup: Rollup = Rollup.ACTIVITY,
    mode: InputMode = InputMode.AS_IS,
    split: Split = Split.ALL,
) -> None:
    global _engine, _resolver, _rollup, _mode, _split
    _engine = Engine(ruleset, document)
    _resolver = Settings().resolver()  # AUPGUARD_DNS: off by default, no network
    _rollup, _mode, _split = rollup, mode, split


def _items(path: Path) -> Iterator[Event | InputError]:
    for item in _all_items(path):
        if isinstance(item, InputError) or _split is Split.ALL:
            yield item
            continue
        if in_dev_split(item) == (_split is Split.DEV):
            yield item


def _all_items(path: Path) -> Iterator[Event | InputError]:
    if _mode is InputMode.URLS:
        yield from url_list_events(path)
        return
    for item in read_file(path):
        if (
            _mode is InputMode.AS_SUBMITTED
            and isinstance(item, Event)
            and isinstance(item.content, EmailContent)
        ):
            item = email_event(as_submitted(item.content.raw), item.source)
        yield item


def scan_path(path: Path) -> list[ScanRow]:
    """Every event in one file. Nothing persists: with a roll-up, events of the file share
    an in-memory state (so scans and floods add up) that is dropped after the file."""
    assert _engine is not None, "worker not initialised"
    rows: list[ScanRow] = []
    state = None if _rollup is Rollup.NONE else MemoryState()
    for item in _items(path):
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
    mode: InputMode = InputMode.AS_IS,
    split: Split = Split.ALL,
) -> Iterator[ScanRow]:
    """Rows in input order; `jobs` > 1 spreads files over that many processes."""
    if jobs <= 1 or len(files) < 2:
        _init(document, ruleset, rollup, mode, split)
        for path in files:
            yield from scan_path(path)
            on_file()
        return
    chunk = max(1, min(64, len(files) // (jobs * 8) or 1))
    if "fork" in mp.get_all_start_methods():
        # Build the engine (models, lexicons, compiled patterns) once, here, load what
        # loads on first use (warm_up), and freeze it out of the collector: forked workers
        # share its pages instead of each building, loading and collecting its own copy.
        _init(document, ruleset, rollup, mode, split)
        assert _engine is not None
        _engine.warm_up()
        tune_gc()
        pool = mp.get_context("fork").Pool(jobs)
    else:
        initargs = (document, ruleset, rollup, mode, split)
        pool = mp.get_context("spawn").Pool(jobs, initializer=_init, initargs=initargs)
    with pool:
        for rows in pool.imap(scan_path, files, chunksize=chunk):
            yield from rows
            on_file()


def url_list_events(path: Path) -> Iterator[Event | InputError]:
    """One SMS event per URL of a list: plain lines, or CSV with a `url`/`URL` column."""
    if path.suffix.lower() in (".md", ".rst", ".html"):
        return  # a corpus's README or SOURCE file, not a list
    try:
        text = path.read_text("utf-8", "replace")
    except OSError as exc:
        yield InputError(exc.strerror or str(exc), str(path))
        return
    lines = text.splitlines()
    head = lines[0].lower().split(",") if lines else []
    column = head.index("url") if "url" in head else None
    rows = csv.reader(lines[1:]) if column is not None else ([ln] for ln in lines)
    for n, row in enumerate(rows, 2 if column is not None else 1):
        url = (row[column] if column is not None and len(row) > column else row[0]).strip()
        if not url:
            continue
        where = f"{path}:{n}"
        yield Event(id=where, channel=Channel.SMS, content=MessageContent(url), source=where)


def in_dev_split(event: Event) -> bool:
    """The development 30 % (stable: a hash of the URL, or of the message's source, its
    path resolved, so that `../shared/corpora` and `/work/shared/corpora` split alike)."""
    content = event.content
    key = content.text if isinstance(content, MessageContent) else _resolved(event.source)
    return int(hashlib.sha256(key.encode()).hexdigest()[:4], 16) % 10 < 3


def _resolved(source: str) -> str:
    """A file's source as its absolute path (an mbox entry keeps its `:N` suffix)."""
    base, colon, entry = source.rpartition(":")
    if not (colon and entry.isdigit()):
        base, colon, entry = source, "", ""
    try:
        return str(Path(base).resolve()) + colon + entry
    except (OSError, RuntimeError):
        return source
