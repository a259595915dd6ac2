"""`aupguard demo`: seed sample tenants and traffic, decide it, and show cases and actions."""

from __future__ import annotations

import shutil
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import select

from aupguard.cli.common import console
from aupguard.decide import Decider
from aupguard.demo.traffic import TENANTS, write_demo_traffic
from aupguard.enforce.identities import IdentityKind
from aupguard.enforce.tenants import Proof, add_identity, create_tenant, verify_identity
from aupguard.errors import InputError
from aupguard.events.model import Event
from aupguard.events.sources import expand_paths, read_file
from aupguard.settings import Settings
from aupguard.store.db import Store
from aupguard.store.models import Action, Case

DEMO_PASSWORD = "demo-reviewer-password"


def demo(
    folder: Annotated[
        Path, typer.Option(help="Where to write the sample traffic and database.")
    ] = Path("demo-data"),
    serve: Annotated[bool, typer.Option(help="End in the reviewer console (serve it).")] = False,
    port: Annotated[int, typer.Option(help="Console port with --serve.")] = 8080,
) -> None:
    """Seed sample tenants and traffic, decide it on SQLite, print the cases and actions."""
    if folder.exists():
        shutil.rmtree(folder)
    files = write_demo_traffic(folder / "traffic")
    settings = Settings(home=folder, db_url=f"sqlite:///{folder / 'aupguard.db'}")
    settings.ensure_home()
    store = Store(settings.database_url)
    with store.write() as s:
        for t in TENANTS:
            create_tenant(s, t.id, t.name, actor="demo", contact_email=f"abuse@{t.domain}")
            for kind, value in (
                (IdentityKind.DOMAIN, t.domain),
                (IdentityKind.NUMBER, t.number),
                (IdentityKind.BRAND, t.name),
            ):
                row = add_identity(s, t.id, kind, value, actor="demo")
                if kind is IdentityKind.DOMAIN:  # demo domains have no DNS: seeded as proven
                    row.proof, row.verified_at = "demo seed (no DNS for .example)", row.created_at
                else:
                    verify_identity(s, row.id, Proof(record="demo seed"), actor="demo")
    decider = Decider(store, settings=settings)
    _reviewer(store)
    console.print(
        f"[bold]aupguard demo[/]: {len(TENANTS)} tenants, {len(files)} traffic files, "
        f"database {settings.database_url}"
    )
    actions: Counter[str] = Counter()
    for path in expand_paths([folder / "traffic"]):
        if not isinstance(path, Path):
            continue
        for item in read_file(path):
            if isinstance(item, InputError):
                console.print(f"{item.source}: error: {item.reason}")
                continue
            if item.tenant is None:
                item = _with_tenant_from_name(item, path)
            actions[decider.decide(item).action] += 1
    console.print("decisions: " + ", ".join(f"{n} {a}" for a, n in sorted(actions.items())))
    _show(store, decider)
    if serve:
        import uvicorn

        from aupguard.api.app import create_app
        from aupguard.runtime import tune_gc

        console.print(
            f"\n[bold]Reviewer console[/]: http://127.0.0.1:{port}/console  "
            f"(user demo, password {DEMO_PASSWORD}); Ctrl-C stops it."
        )
        tune_gc()
        uvicorn.run(
            create_app(store, settings, decider), host="127.0.0.1", port=port, log_level="warning"
        )


def _with_tenant_from_name(item: Event, path: Path) -> Event:
    for t in TENANTS:
        if path.name.startswith(t.id):
            return replace(item, tenant=t.id)
    return item


def _show(store: Store, decider: Decider) -> None:
    decider.status.refresh()
    tenants = Table(title="tenants")
    for col in ("tenant", "status"):
        tenants.add_column(col)
    for t in TENANTS:
        st = decider.status.check(t.id, "email")
        tenants.add_row(t.id, st.state + (f" (case AUP-{st.case_id:06d})" if st.case_id else ""))
    console.print(tenants)
    cases = Table(title="cases")
    for col in ("case", "tenant", "clause", "state", "due"):
        cases.add_column(col)
    with store.read() as s:
        for c in s.execute(select(Case).order_by(Case.severity.desc(), Case.due_at)).scalars():
            cases.add_row(c.ref, c.tenant_id, c.clause, c.state, f"{c.due_at:%Y-%m-%d %H:%M}")
        console.print(cases)
        for a in s.execute(select(Action).order_by(Action.id)).scalars():
            console.print(
                f"action {a.id}: {a.kind} {a.tenant_id} ({a.clause}) [{a.state}] — {a.reason}",
                highlight=False,
            )
    console.print(f"Next: `aupguard cases list --db {store.url}`")


def _reviewer(store: Store) -> None:
    from datetime import UTC, datetime

    from aupguard.web.accounts import create_reviewer

    with store.write() as s:
        create_reviewer(s, "demo", DEMO_PASSWORD, "admin", datetime.now(UTC))
