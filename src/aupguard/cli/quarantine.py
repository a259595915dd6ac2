"""`aupguard quarantine list|release`: mail the gateways held for review."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from aupguard.cli.common import DbOption, console, fail, open_store
from aupguard.errors import AupguardError
from aupguard.gateways.quarantine import Quarantine

app = typer.Typer(help="Mail held for review: list, release, delete.", no_args_is_help=True)
DirOption = Annotated[Path, typer.Option("--dir", help="The gateway's --quarantine-dir.")]


@app.command("list")
def quarantine_list(
    folder: DirOption,
    all_: Annotated[bool, typer.Option("--all", help="Include released messages.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """Held messages, oldest first."""
    entries = Quarantine(folder).entries(include_released=all_)
    if as_json:
        for e in entries:
            typer.echo(e.model_dump_json())
        return
    table = Table(title=f"quarantine {folder}")
    for col in ("id", "held at", "tenant", "case", "reason", "from", "to", "where", "state"):
        table.add_column(col)
    for e in entries:
        where = f"postfix {e.postfix_queue_id}" if e.postfix_queue_id else "folder"
        table.add_row(
            e.id,
            e.held_at.strftime("%Y-%m-%d %H:%M:%S"),
            e.tenant or "-",
            e.case_ref or "-",
            e.reason,
            e.mail_from,
            ", ".join(e.rcpt_to),
            where,
            e.state,
        )
    console.print(table)
    console.print(f"{len(entries)} messages")


@app.command("release")
def quarantine_release(
    entry_id: Annotated[str, typer.Argument(help="Id from `aupguard quarantine list`.")],
    folder: DirOption,
    reviewer: Annotated[str, typer.Option(help="Who releases it (recorded).")] = "cli",
    next_hop: Annotated[
        str | None, typer.Option(help="host:port to send it to instead of the recorded hop.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Send a held message on: to its next hop (relay) or back into Postfix's queue (audited)."""
    from aupguard.gateways.smtp_relay import NextHop, deliver

    def send(mail_from: str, rcpts: tuple[str, ...], raw: bytes, hop: str) -> None:
        deliver(mail_from, rcpts, raw, NextHop.parse(hop))

    store, _ = open_store(db, create=False)  # the audit chain: no release goes unrecorded
    try:
        entry = Quarantine(folder).release(
            entry_id, reviewer=reviewer, deliver=send, store=store, next_hop=next_hop
        )
    except AupguardError as exc:
        fail(str(exc))
    except Exception as exc:  # next hop refused it: still held
        fail(f"{entry_id} not released: {exc}")
    console.print(f"released {entry.id} ({entry.tenant or 'no tenant'}) by {reviewer}")


@app.command("delete")
def quarantine_delete(
    entry_id: Annotated[str, typer.Argument(help="Id from `aupguard quarantine list`.")],
    folder: DirOption,
    reviewer: Annotated[str, typer.Option(help="Who deletes it (recorded).")] = "cli",
    db: DbOption = None,
) -> None:
    """Drop a held message for good: its copy (relay) or from Postfix's HOLD queue (audited)."""
    store, _ = open_store(db, create=False)
    try:
        entry = Quarantine(folder).delete(entry_id, reviewer=reviewer, store=store)
    except AupguardError as exc:
        fail(str(exc))
    console.print(f"deleted {entry.id} ({entry.tenant or 'no tenant'}) by {reviewer}")
