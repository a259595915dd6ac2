"""`aupguard tenants`: tenants and identities with proof, import and export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import select

from aupguard.cli.common import DbOption, console, fail, open_store
from aupguard.enforce.dnsproof import dns_txt_lookup, expected_token
from aupguard.enforce.identities import IdentityKind
from aupguard.enforce.status import StatusCache
from aupguard.enforce.tenants import (
    Proof,
    add_identity,
    create_tenant,
    export_tenants,
    import_tenants,
    verify_identity,
)
from aupguard.errors import AupguardError
from aupguard.store.models import IdentityRow, Tenant

app = typer.Typer(
    help="Tenants and their identities (domains, numbers, IP ranges, brands).", no_args_is_help=True
)
ACTOR = "cli"


@app.command("add")
def add(
    tenant_id: str,
    name: str,
    email: Annotated[str | None, typer.Option()] = None,
    webhook: Annotated[str | None, typer.Option()] = None,
    db: DbOption = None,
) -> None:
    """Create a tenant."""
    store, _ = open_store(db)
    try:
        with store.write() as s:
            create_tenant(s, tenant_id, name, actor=ACTOR, contact_email=email, webhook_url=webhook)
    except AupguardError as exc:
        fail(str(exc))
    console.print(f"tenant {tenant_id} created")


@app.command("identity")
def identity(
    tenant_id: str,
    kind: IdentityKind,
    value: str,
    workload: Annotated[str | None, typer.Option()] = None,
    allow_resignup: Annotated[bool, typer.Option()] = False,
    db: DbOption = None,
) -> None:
    """Add an identity (unverified until `tenants verify`); prints the DNS token for domains."""
    store, settings = open_store(db)
    try:
        with store.write() as s:
            row = add_identity(
                s,
                tenant_id,
                kind,
                value,
                actor=ACTOR,
                workload=workload,
                allow_resignup=allow_resignup,
            )
            ident_id, canonical = row.id, row.value
    except AupguardError as exc:
        fail(str(exc))
    console.print(f"identity {ident_id}: {kind.value} {canonical} (unverified)")
    if kind in (IdentityKind.DOMAIN, IdentityKind.ALIAS, IdentityKind.REMAILER):
        token = expected_token(settings.secret("token"), tenant_id, canonical)
        console.print(
            f'publish TXT "_aupguard.{canonical}" "{token}", then run '
            f"`aupguard tenants verify {ident_id}`"
        )


@app.command("verify")
def verify(
    identity_id: int,
    record: Annotated[str | None, typer.Option(help="Registration/assignment record.")] = None,
    db: DbOption = None,
) -> None:
    """Verify an identity: DNS TXT for domains, a registration record for the rest."""
    store, settings = open_store(db)
    proof = Proof(txt_lookup=dns_txt_lookup(), token_key=settings.secret("token"), record=record)
    try:
        with store.write() as s:
            row = verify_identity(s, identity_id, proof, actor=ACTOR)
            console.print(f"verified {row.kind} {row.value} ({row.proof})")
    except AupguardError as exc:
        fail(str(exc))


@app.command("list")
def list_(db: DbOption = None) -> None:
    """Tenants with their status and identities."""
    store, _ = open_store(db)
    cache = StatusCache(store)
    cache.refresh()
    table = Table(title="tenants")
    for col in ("tenant", "name", "status", "identities"):
        table.add_column(col)
    with store.read() as s:
        for t in s.execute(select(Tenant).order_by(Tenant.id)).scalars():
            ids = s.execute(select(IdentityRow).where(IdentityRow.tenant_id == t.id)).scalars()
            shown = ", ".join(
                f"{i.kind}:{i.value}{'' if i.verified_at else ' (unverified)'}" for i in ids
            )
            status = cache.check(t.id, "*")
            table.add_row(
                t.id,
                t.name,
                status.state + (f" ({status.restriction})" if status.restriction else ""),
                shown,
            )
    console.print(table)


@app.command("export")
def export(path: Path, db: DbOption = None) -> None:
    """Write every tenant and identity as JSON."""
    store, _ = open_store(db)
    with store.read() as s:
        data = export_tenants(s)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    console.print(f"{len(data)} tenants written to {path}")


@app.command("import")
def import_(path: Path, db: DbOption = None) -> None:
    """Create tenants and identities from an export (proofs are recorded as imported)."""
    store, _ = open_store(db)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        with store.write() as s:
            count = import_tenants(s, data, actor=ACTOR)
    except (OSError, ValueError, KeyError, AupguardError) as exc:
        fail(f"{path}: {exc}")
    console.print(f"{count} tenants imported from {path}")
