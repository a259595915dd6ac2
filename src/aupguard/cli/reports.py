"""`aupguard reports`: parse reports, ingest them into the store, run the abuse mailbox."""

from __future__ import annotations

import json
import signal
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from aupguard.cli.common import (
    AupOption,
    DbOption,
    RulesOption,
    console,
    err_console,
    fail,
    load_policy,
    open_store,
)
from aupguard.decide import Decider
from aupguard.errors import AupguardError, ConfigError, PolicyError, Rejection
from aupguard.reports.enrollment import authenticator_for, load_enrollment
from aupguard.reports.export import report_json
from aupguard.reports.intake import Channel, Receipt, take_in
from aupguard.reports.listener import MailboxHandler, MailboxLimits, start_listener
from aupguard.reports.mailbox import parse_report
from aupguard.reports.maildir import is_maildir, messages
from aupguard.reports.model import IntakeContext, Report
from aupguard.reports.sink import StoreSink
from aupguard.reports.triage import get_report

app = typer.Typer(
    help="Abuse reports: parse, ingest into the store, run the abuse mailbox.", no_args_is_help=True
)


class Format(StrEnum):
    TABLE = "table"
    JSONL = "jsonl"


Input = tuple[str, bytes | AupguardError, datetime | None]


def _inputs(paths: list[Path]) -> Iterator[Input]:
    """(name, bytes, delivery time) per report: a file is one, a Maildir one per message."""
    for path in paths:
        if is_maildir(path):
            for key, raw, delivered in messages(path):
                yield f"{path}#{key}", raw, delivered
        elif path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if not any(part.startswith(".") for part in child.relative_to(path).parts):
                    yield from _inputs([child])
        else:
            try:
                yield str(path), path.read_bytes(), None
            except OSError as exc:
                yield str(path), AupguardError(exc.strerror or str(exc)), None


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
        for name, data, _ in items:
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


EnrollmentOption = Annotated[
    Path | None,
    typer.Option(
        "--enrollment",
        help="Feedback loops we are enrolled in (YAML; default $AUPGUARD_ENROLLMENT, else "
        "<home>/enrollment.yaml). DKIM keys are looked up with $AUPGUARD_DNS.",
    ),
]


def _desk(db: str | None, rules: Path | None, enrollment: Path | None) -> tuple[Decider, StoreSink]:
    _, ruleset = load_policy(None, rules)
    store, settings = open_store(db)
    decider = Decider(store, ruleset=ruleset, settings=settings)
    try:
        enrolled = load_enrollment(settings, enrollment)
    except PolicyError as exc:
        fail(str(exc))
    sink = StoreSink(
        store,
        decider.ruleset,
        decider.engine.document,
        settings,
        enrollment=enrolled,
        directory=lambda: decider.directory,
        state=decider.state,
    )
    return decider, sink


def _context(decider: Decider, source_ip: str | None, received: datetime | None) -> IntakeContext:
    return IntakeContext(
        received=received or datetime.now(UTC),
        mapping=decider.ruleset.report_mapping,
        source_ip=source_ip,
        clauses=frozenset(decider.engine.document.by_id),
    )


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Report files, folders or Maildirs.")],
    db: DbOption = None,
    rules: RulesOption = None,
    enrollment: EnrollmentOption = None,
) -> None:
    """Take reports into the store (triage queue and cases) and print each acknowledgement
    reference; exit 1 if any report is rejected (the reason, naming the field, on stderr)."""
    decider, sink = _desk(db, rules, enrollment)
    authenticator = authenticator_for(decider.settings, sink.enrollment)
    items = list(_inputs(paths))
    failed = 0
    with Progress(
        TextColumn("ingesting"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err_console,
        disable=not err_console.is_terminal or len(items) < 20,
        transient=True,
    ) as progress:
        task = progress.add_task("ingest", total=len(items))
        for name, data, delivered in items:
            progress.advance(task)
            if isinstance(data, AupguardError):
                failed += 1
                err_console.print(f"{name}: error: {data}", highlight=False, soft_wrap=True)
                continue
            channel: Channel = "maildir" if delivered else "file"
            receipt = take_in(
                data,
                _context(decider, None, delivered),
                replace(sink, channel=channel),
                channel,
                authenticator,
            )
            if receipt.status == "rejected":
                failed += 1
                err_console.print(
                    f"{name}: rejected ({receipt.reference}): {receipt.detail}",
                    highlight=False,
                    soft_wrap=True,
                )
            else:
                console.print(
                    f"{name}: {_where(decider, receipt)}", highlight=False, soft_wrap=True
                )
    console.print(f"{len(items)} reports read, {len(items) - failed} taken in, {failed} rejected")
    raise typer.Exit(1 if failed else 0)


def _where(decider: Decider, receipt: Receipt) -> str:
    with decider.store.read() as s:
        row = get_report(s, receipt.reference)
        case = f", case AUP-{row.case_id:06d}" if row.case_id else ""
        tenant = f", tenant {row.tenant_id}" if row.tenant_id else ""
        return f"{receipt.reference} {row.state}{tenant}{case}" + (
            f" ({receipt.detail})" if receipt.status == "duplicate" else ""
        )


@app.command()
def listen(
    host: Annotated[str, typer.Option(help="Interface (loopback unless --allow-remote).")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(help="TCP port of the abuse mailbox.")] = 8025,
    allow_remote: Annotated[
        bool, typer.Option(help="Listen on a non-loopback address (behind the public MX).")
    ] = False,
    per_minute: Annotated[int, typer.Option(help="Messages per source IP per minute.")] = 30,
    db: DbOption = None,
    rules: RulesOption = None,
    enrollment: EnrollmentOption = None,
) -> None:
    """Run the abuse mailbox: an SMTP listener that takes each message into the store and
    answers with the acknowledgement reference (or the rejection reason)."""
    decider, sink = _desk(db, rules, enrollment)
    handler = MailboxHandler(
        sink,
        lambda ip: _context(decider, ip, None),
        MailboxLimits(per_source_per_minute=per_minute),
        authenticator_for(decider.settings, sink.enrollment),
    )
    try:
        controller = start_listener(handler, host, port, allow_remote)
    except (ConfigError, OSError) as exc:
        fail(f"cannot listen on {host}:{port}: {exc}")
    console.print(
        f"abuse mailbox on smtp://{host}:{port}, database {decider.settings.database_url}"
    )
    signal.signal(signal.SIGTERM, _stop)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM stops the listener as Ctrl-C does
