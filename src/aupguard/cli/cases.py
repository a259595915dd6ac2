"""`aupguard cases`: the queue, a case's story, state changes, manual actions, approvals."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import select

from aupguard.aup.load import load_document
from aupguard.cli.common import DbOption, console, fail, open_store
from aupguard.enforce.actions import ActionRequest, approve, take
from aupguard.enforce.cases import set_state
from aupguard.errors import AupguardError
from aupguard.store.models import Action, Case, CaseItem

app = typer.Typer(help="Cases: one per tenant and clause while open.", no_args_is_help=True)


@app.command("list")
def list_(
    state: Annotated[str, typer.Option(help="open, all, ...")] = "open", db: DbOption = None
) -> None:
    """The queue, most severe and most urgent first."""
    store, _ = open_store(db)
    table = Table(title=f"cases ({state})")
    for col in ("case", "tenant", "clause", "state", "severity", "due", "fast review"):
        table.add_column(col)
    with store.read() as s:
        q = select(Case).order_by(Case.severity.desc(), Case.due_at)
        if state == "open":
            q = q.where(Case.state.in_(("open", "in_review", "actioned")))
        elif state != "all":
            q = q.where(Case.state == state)
        for c in s.execute(q).scalars():
            table.add_row(
                c.ref,
                c.tenant_id,
                c.clause,
                c.state,
                str(c.severity),
                f"{c.due_at:%Y-%m-%d %H:%M}",
                "yes" if c.needs_fast_review else "",
            )
    console.print(table)


@app.command("show")
def show(case_id: int, db: DbOption = None) -> None:
    """Everything in one case: violations, notes, actions."""
    store, _ = open_store(db)
    with store.read() as s:
        case = s.get(Case, case_id)
        if case is None:
            fail(f"no case {case_id}")
        console.print(
            f"[bold]{case.ref}[/] tenant {case.tenant_id}, clause {case.clause}, "
            f"{case.state}, due {case.due_at:%Y-%m-%d %H:%M}"
        )
        for item in s.execute(
            select(CaseItem).where(CaseItem.case_id == case_id).order_by(CaseItem.id)
        ).scalars():
            console.print(
                f"  {item.created_at:%Y-%m-%d %H:%M} {item.kind} {item.ref} {item.body}",
                highlight=False,
            )
        for a in s.execute(select(Action).where(Action.case_id == case_id)).scalars():
            console.print(
                f"  action {a.id}: {a.kind} {a.scope} {a.target} [{a.state}] by {a.actor}",
                highlight=False,
            )


@app.command("state")
def state(
    case_id: int, new_state: str, note: str = "", actor: str = "reviewer:cli", db: DbOption = None
) -> None:
    """Move a case (open, in_review, actioned, dismissed, closed)."""
    store, _ = open_store(db)
    try:
        with store.write() as s:
            set_state(s, case_id, new_state, actor=actor, now=datetime.now(UTC), note=note)
    except AupguardError as exc:
        fail(str(exc))
    console.print(f"case {case_id} is now {new_state}")


@app.command("act")
def act(
    tenant: str,
    kind: str,
    reason: str,
    actor: str = "reviewer:cli",
    clause: Annotated[str | None, typer.Option()] = None,
    case_id: Annotated[int | None, typer.Option("--case")] = None,
    scope: str = "tenant",
    target: str = "*",
    restriction: str | None = None,
    db: DbOption = None,
) -> None:
    """Take an action by hand (terminations wait for a second person's approval)."""
    store, settings = open_store(db)
    try:
        with store.write() as s:
            case = s.get(Case, case_id) if case_id else None
            pending = kind == "terminate"
            action = take(
                s,
                ActionRequest(
                    tenant,
                    kind,
                    actor,
                    reason,
                    False,
                    scope,
                    target,
                    restriction,
                    clause,
                    case,
                    (reason,),
                    "pending_approval" if pending else "effective",
                ),
                load_document(),
                datetime.now(UTC),
                settings,
            )
            console.print(f"action {action.id}: {kind} [{action.state}]")
    except AupguardError as exc:
        fail(str(exc))


@app.command("approve")
def approve_(action_id: int, actor: str, db: DbOption = None) -> None:
    """Second-person approval of a pending action."""
    store, settings = open_store(db)
    try:
        with store.write() as s:
            approve(s, action_id, actor, datetime.now(UTC), load_document(), settings)
    except AupguardError as exc:
        fail(str(exc))
    console.print(f"action {action_id} approved by {actor}")
