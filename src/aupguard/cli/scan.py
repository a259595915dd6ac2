"""`aupguard scan PATH...`: judge files, directories, mbox, Maildir and JSON Lines."""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from aupguard.cli.common import AupOption, RulesOption, console, err_console, load_policy
from aupguard.cli.scanning import Rollup, ScanRow, scan_files
from aupguard.errors import InputError
from aupguard.events.sources import expand_paths
from aupguard.rules.model import Action
from aupguard.runtime import tune_gc


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"


class FailOn(StrEnum):
    FLAG = "flag"
    HOLD = "hold"
    DEFER = "defer"
    BLOCK = "block"
    NEVER = "never"


def scan(
    paths: Annotated[list[Path], typer.Argument(help="Files or directories to scan.")],
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.TABLE,
    fail_on: Annotated[
        FailOn, typer.Option(help="Exit 1 when any event's action is at least this.")
    ] = FailOn.BLOCK,
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", help="Worker processes (0: one per core).")
    ] = 1,
    strict: Annotated[
        bool, typer.Option(help="Also exit 2 when an input could not be read.")
    ] = False,
    rollup: Annotated[
        Rollup,
        typer.Option(
            help="Events of one file that add up in memory (scans, floods, brute force): "
            "activity = flows, HTTP, auth and calls; all; none. Dropped after each file."
        ),
    ] = Rollup.ACTIVITY,
    aup: AupOption = None,
    rules: RulesOption = None,
) -> None:
    """Scan inputs and report what violates the AUP (nothing is stored or changed)."""
    document, ruleset = load_policy(aup, rules)
    tune_gc()
    files: list[Path] = []
    rows: list[ScanRow] = []
    for item in expand_paths(paths):
        if isinstance(item, InputError):
            rows.append(ScanRow(source=item.source or "?", error=item.reason))
        else:
            files.append(item)
    jobs = jobs or os.cpu_count() or 1
    show_progress = fmt is Format.TABLE and err_console.is_terminal
    progress = Progress(
        TextColumn("scanning"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err_console,
        disable=not show_progress,
        transient=True,
    )
    with progress:
        task = progress.add_task("scan", total=len(files))
        advance = lambda: progress.advance(task)  # noqa: E731
        for row in scan_files(files, document, ruleset, jobs, advance, rollup):
            rows.append(row)
            _report_problem(row)
            if fmt is Format.JSONL and row.error is None:
                sys.stdout.write(json.dumps(_row_json(row)) + "\n")
    if fmt is Format.JSON:
        summary = _summary(rows)
        doc = {
            "results": [_row_json(r) for r in rows if r.error is None],
            "summary": summary,
            "errors": [{"source": r.source, "error": r.error} for r in rows if r.error],
        }
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
    elif fmt is Format.TABLE:
        _print_tables(rows, [c for c in ruleset.clauses])
    raise typer.Exit(_exit_code(rows, fail_on, strict))


def _report_problem(row: ScanRow) -> None:
    if row.error:
        err_console.print(f"{row.source}: error: {row.error}", highlight=False, soft_wrap=True)
    elif row.warning:
        err_console.print(f"{row.source}: warning: {row.warning}", highlight=False, soft_wrap=True)


def _row_json(row: ScanRow) -> dict[str, object]:
    return {
        "source": row.source,
        "event_id": row.event_id,
        "channel": row.channel,
        "action": row.action,
        "clauses": list(row.clauses),
        "scores": row.scores,
        "signals": list(row.signals),
    }


def _summary(rows: list[ScanRow]) -> dict[str, object]:
    actions = Counter(r.action for r in rows if r.error is None)
    clauses = Counter(c for r in rows for c in r.clauses)
    return {
        "events": sum(actions.values()),
        "errors": sum(1 for r in rows if r.error),
        "actions": dict(actions),
        "clauses": dict(clauses),
    }


def _print_tables(rows: list[ScanRow], clause_ids: list[str]) -> None:
    hits = [r for r in rows if r.error is None and r.action != "allow"]
    if hits:
        table = Table(title="Events that violate the AUP", show_lines=False)
        for col in ("source", "action", "clauses", "signals"):
            table.add_column(col, overflow="fold")
        for r in hits:
            table.add_row(r.source, r.action, ", ".join(r.clauses), ", ".join(r.signals))
        console.print(table)
    per_clause = Table(title="Summary per clause")
    per_clause.add_column("clause")
    for action in ("flag", "hold", "defer", "block"):
        per_clause.add_column(action, justify="right")
    for clause in clause_ids:
        counts = Counter(r.action for r in rows if clause in r.clauses)
        per_clause.add_row(
            clause, *(str(counts.get(a, 0)) for a in ("flag", "hold", "defer", "block"))
        )
    console.print(per_clause)
    s = _summary(rows)
    console.print(
        f"{s['events']} events scanned, {len(hits)} violating, {s['errors']} inputs unreadable"
    )


def _exit_code(rows: list[ScanRow], fail_on: FailOn, strict: bool) -> int:
    if strict and any(r.error for r in rows):
        return 2
    if fail_on is FailOn.NEVER:
        return 0
    bar = Action.parse(fail_on.value)
    worst = max((Action.parse(r.action) for r in rows if r.error is None), default=Action.ALLOW)
    return 1 if worst >= bar else 0
