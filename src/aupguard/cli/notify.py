"""`aupguard notify run|dead|retry`: deliver queued notices, inspect and requeue dead letters."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType
from typing import Annotated

import typer
from rich.table import Table

from aupguard.cli.common import DbOption, console, fail, open_store
from aupguard.errors import AupguardError
from aupguard.notify.delivery import DispatchCounts, dead_letters, dispatch_once, requeue, run
from aupguard.notify.settings import ENV_PREFIX, NotifySettings

app = typer.Typer(
    help=f"Deliver notices from the outbox (settings: {ENV_PREFIX}* variables).",
    no_args_is_help=True,
)


def _line(counts: DispatchCounts) -> str:
    return (
        f"claimed {counts.claimed}, sent {counts.sent}, "
        f"retry later {counts.retried}, dead {counts.dead}"
    )


@app.command("run")
def run_command(
    db: DbOption = None,
    once: Annotated[
        bool, typer.Option("--once", help="One pass over due notices, then exit.")
    ] = False,
    idle: Annotated[float, typer.Option(help="Seconds to wait when nothing is due.")] = 5.0,
) -> None:
    """Send due notices until stopped (SIGTERM/SIGINT finish the current one first)."""
    try:
        settings = NotifySettings.from_env()
    except AupguardError as exc:
        fail(str(exc))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    store, _ = open_store(db, create=False)
    try:
        if once:
            console.print(_line(dispatch_once(store, settings)), soft_wrap=True)
            return
        stop = threading.Event()

        def _stop(signum: int, _frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        console.print(f"delivering via {settings.smtp_host}:{settings.smtp_port}; Ctrl-C stops")
        run(store, settings, idle_s=idle, stop=stop, report=lambda c: console.print(_line(c)))
    finally:
        store.dispose()


@app.command()
def dead(
    db: DbOption = None,
    limit: Annotated[int, typer.Option(help="How many, newest first.")] = 100,
) -> None:
    """List dead-lettered notices with their last error."""
    store, _ = open_store(db, create=False)
    with store.read() as session:
        rows = dead_letters(session, limit)
    store.dispose()
    if not rows:
        console.print("no dead letters")
        return
    table = Table("id", "topic", "tenant", "channel", "attempts")
    table.add_column("recipient", overflow="fold")
    table.add_column("last error", overflow="fold")
    for row in rows:
        table.add_row(
            str(row.id),
            row.topic,
            row.tenant_id or "-",
            row.channel,
            str(row.attempts),
            row.recipient,
            row.last_error or "",
        )
    console.print(table)


@app.command()
def retry(
    notice_id: Annotated[int, typer.Argument(metavar="ID", help="Outbox id from `notify dead`.")],
    db: DbOption = None,
) -> None:
    """Requeue a dead notice with a fresh set of attempts, due now."""
    store, _ = open_store(db, create=False)
    try:
        with store.write() as session:
            requeue(session, notice_id)
    except AupguardError as exc:
        fail(str(exc))
    finally:
        store.dispose()
    console.print(f"notice {notice_id} requeued")
