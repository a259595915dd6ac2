"""`aupguard reports parse PATH...`: read abuse reports and show what each one says."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from aupguard.cli.common import AupOption, RulesOption, console, err_console, load_policy
from aupguard.errors import AupguardError, Rejection
from aupguard.reports.export import report_json
from aupguard.reports.mailbox import parse_report
from aupguard.reports.maildir import is_maildir, messages
from aupguard.reports.model import IntakeContext, Report

app = typer.Typer(
    help="Abuse reports: ARF, X-ARF, DMARC failure, DSN, complaints.", no_args_is_help=True
)


class Format(StrEnum):
    TABLE = "table"
    JSONL = "jsonl"


def _inputs(paths: list[Path]) -> Iterator[tuple[str, bytes | AupguardError]]:
    """(name, bytes) per report: a file is one report, a Maildir one per message."""
    for path in paths:
        if is_maildir(path):
            for key, raw, _ in messages(path):
                yield f"{path}#{key}", raw
        elif path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if not any(part.startswith(".") for part in child.relative_to(path).parts):
                    yield from _inputs([child])
        else:
            try:
                yield str(path), path.read_bytes()
            except OSError as exc:
                yield str(path), AupguardError(exc.strerror or str(exc))


@app.command()
def parse(
    paths: Annotated[list[Path], typer.Argument(help="Report files, folders or Maildirs.")],
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.TABLE,
    aup: AupOption = None,
    rules: RulesOption = None,
) -> None:
    """Parse each report and print its kind, clause and resolution keys; exit 1 if any is
    rejected (the reason, naming the field, goes to stderr)."""
    document, ruleset = load_policy(aup, rules)
    ctx = IntakeContext(mapping=ruleset.report_mapping, clauses=frozenset(document.by_id))
    rows: list[tuple[str, Report | AupguardError]] = []
    items = list(_inputs(paths))
    show = fmt is Format.TABLE and err_console.is_terminal and len(items) > 20
    with Progress(
        TextColumn("parsing"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err_console,
        disable=not show,
        transient=True,
    ) as progress:
        task = progress.add_task("parse", total=len(items))
        for name, data in items:
            result = _parse(data, ctx)
            rows.append((name, result))
            if isinstance(result, AupguardError):
                kind = "rejected" if isinstance(result, Rejection) else "error"
                err_console.print(f"{name}: {kind}: {result}", highlight=False, soft_wrap=True)
            if fmt is Format.JSONL:
                sys.stdout.write(json.dumps(_json(name, result)) + "\n")
            progress.advance(task)
    if fmt is Format.TABLE:
        _table(rows)
    failed = sum(1 for _, r in rows if isinstance(r, AupguardError))
    raise typer.Exit(1 if failed else 0)


def _parse(data: bytes | AupguardError, ctx: IntakeContext) -> Report | AupguardError:
    if isinstance(data, AupguardError):
        return data
    try:
        return parse_report(data, ctx)
    except Rejection as exc:
        return exc


def _json(name: str, result: Report | AupguardError) -> dict[str, object]:
    if isinstance(result, Rejection):
        return {"source": name, "rejected": {"field": result.field, "reason": result.reason}}
    if isinstance(result, AupguardError):
        return {"source": name, "error": str(result)}
    return {"source": name, "report": report_json(result)}


def _keys(report: Report) -> str:
    k = report.keys
    parts = [
        *(f"token {t}" for t in k.feedback_tokens[:2]),
        *(f"msgid {m}" for m in k.message_ids[:2]),
        *(f"ip {s.ip}" for s in k.sending_ips[:3]),
        *(f"domain {d}" for d in k.domains[:3]),
        *(f"url {u}" for u in k.urls[:2]),
        *(f"phone {p}" for p in k.phones[:2]),
        *(f"sender-id {s}" for s in k.sender_ids[:2]),
    ]
    return "\n".join(parts) or "-"


def _table(rows: list[tuple[str, Report | AupguardError]]) -> None:
    table = Table(title="Abuse reports", show_lines=True)
    for column in ("source", "kind", "type", "clause", "keys"):
        table.add_column(column, overflow="fold")
    for name, result in rows:
        if isinstance(result, Rejection):
            table.add_row(name, "[red]rejected[/]", result.field, "-", result.reason)
        elif isinstance(result, AupguardError):
            table.add_row(name, "[red]error[/]", "-", "-", str(result))
        else:
            clause = result.clause or "[yellow]triage[/]"
            table.add_row(name, result.kind.value, result.mapping_key or "-", clause, _keys(result))
    console.print(table)
    bad = sum(1 for _, r in rows if isinstance(r, AupguardError))
    console.print(f"{len(rows)} reports read, {len(rows) - bad} parsed, {bad} rejected")
