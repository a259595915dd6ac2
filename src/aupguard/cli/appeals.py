"""`aupguard appeals`: file, decide and list appeals; overturn rates per clause and detector."""

from __future__ import annotations

from datetime import UTC, datetime

import typer
from rich.table import Table
from sqlalchemy import select

from aupguard.aup.load import load_document
from aupguard.cli.common import DbOption, console, fail, open_store
from aupguard.enforce.appeals import decide_appeal, file_appeal, overturn_rates
from aupguard.errors import AupguardError
from aupguard.store.models import Appeal

app = typer.Typer(help="Appeals against actions.", no_args_is_help=True)


@app.command("file")
def file_(action_id: int, tenant: str, statement: str, db: DbOption = None) -> None:
    """A tenant appeals an action in force."""
    store, _ = open_store(db)
    try:
        with store.write() as s:
            appeal = file_appeal(s, action_id, tenant, statement, datetime.now(UTC))
            console.print(f"appeal {appeal.id} filed against action {action_id}")
    except AupguardError as exc:
        fail(str(exc))


@app.command("decide")
def decide(
    appeal_id: int, outcome: str, reason: str, reviewer: str = "reviewer:cli", db: DbOption = None
) -> None:
    """Uphold or overturn (overturn reinstates and removes the strikes)."""
    if outcome not in ("uphold", "overturn"):
        fail("outcome must be 'uphold' or 'overturn'")
    store, settings = open_store(db)
    try:
        with store.write() as s:
            appeal = decide_appeal(
                s,
                appeal_id,
                reviewer,
                outcome == "overturn",
                reason,
                load_document(),
                datetime.now(UTC),
                settings,
            )
            console.print(f"appeal {appeal.id} {appeal.state}")
    except AupguardError as exc:
        fail(str(exc))


@app.command("list")
def list_(db: DbOption = None) -> None:
    store, _ = open_store(db)
    table = Table(title="appeals")
    for col in ("appeal", "action", "tenant", "state", "reviewer", "filed"):
        table.add_column(col)
    with store.read() as s:
        for a in s.execute(select(Appeal).order_by(Appeal.id)).scalars():
            table.add_row(
                str(a.id),
                str(a.action_id),
                a.tenant_id,
                a.state,
                a.reviewer or "",
                f"{a.created_at:%Y-%m-%d %H:%M}",
            )
    console.print(table)


@app.command("rates")
def rates(db: DbOption = None) -> None:
    """Overturn rates per clause and per detector version."""
    store, _ = open_store(db)
    with store.read() as s:
        by_clause, by_detector = overturn_rates(s)
    for title, rows in (("per clause", by_clause), ("per detector version", by_detector)):
        table = Table(title=f"overturn rate {title}")
        for col in ("key", "decided", "overturned", "rate"):
            table.add_column(col)
        for r in rows:
            table.add_row(r.key, str(r.decided), str(r.overturned), f"{r.rate:.0%}")
        console.print(table)
