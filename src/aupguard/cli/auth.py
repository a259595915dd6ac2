"""`aupguard auth posture`: what sending domains publish (SPF, DKIM keys, DMARC) and lack."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from aupguard.auth.posture import check_domains
from aupguard.auth.resolver import CachingResolver, DnsResolver, Resolver, ZoneResolver
from aupguard.cli.common import DbOption, console, fail, open_store
from aupguard.errors import DnsError

app = typer.Typer(help="E-mail authentication tools.", no_args_is_help=True)


@app.command()
def posture(
    domains: Annotated[
        list[str] | None, typer.Argument(help="Domains to check (or --tenants).")
    ] = None,
    tenants: Annotated[
        bool, typer.Option("--tenants", help="Check every tenant's verified domains (the job).")
    ] = False,
    db: DbOption = None,
    selector: Annotated[
        list[str] | None, typer.Option("--selector", "-s", help="DKIM selector (repeatable).")
    ] = None,
    zone: Annotated[
        Path | None,
        typer.Option("--zone", help="Answer from a zone file ('name TYPE value' lines), no DNS."),
    ] = None,
    nameserver: Annotated[
        list[str] | None, typer.Option("--nameserver", help="Ask these servers (repeatable).")
    ] = None,
    timeout: Annotated[float, typer.Option(help="Seconds per domain.")] = 5.0,
    output: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
) -> None:
    """Report each domain's SPF, DKIM keys and DMARC record, and what is missing.

    Exits 1 when a domain lacks any of the three (bulk senders need all of them).
    """
    resolver: Resolver
    if zone is not None:
        try:
            resolver = ZoneResolver.from_text(zone.read_text(encoding="utf-8"), str(zone))
        except OSError as exc:
            fail(f"{zone}: {exc.strerror}")
        except DnsError as exc:
            fail(str(exc))
    else:
        resolver = CachingResolver(DnsResolver(nameserver or None, timeout=min(timeout, 2.0)))
    targets = list(domains or [])
    if tenants:
        from sqlalchemy import select

        from aupguard.store.models import IdentityRow

        store, _ = open_store(db)
        with store.read() as session:
            rows = session.execute(
                select(IdentityRow.value).where(
                    IdentityRow.kind == "domain", IdentityRow.verified_at.is_not(None)
                )
            )
            targets += sorted({r[0] for r in rows})
    if not targets:
        fail("give domains, or --tenants to check every tenant's verified domains")
    results = check_domains(targets, selector or [], resolver, timeout)
    if output == "json":
        for r in results:
            console.print_json(json.dumps({**asdict(r), "complete": r.complete}))
    elif output == "table":
        table = Table("domain", "SPF", "DKIM", "DMARC", "missing", "problems")
        for r in results:
            keys = ", ".join(f"{s}: {'yes' if k else 'no'}" for s, k in r.dkim.items()) or "-"
            table.add_row(
                r.domain,
                r.spf or "-",
                keys,
                r.dmarc or "-",
                ", ".join(r.missing) or "nothing",
                "; ".join(r.problems) or "-",
            )
        console.print(table)
    else:
        fail(f"unknown --format {output!r}: use table or json")
    if any(not r.complete for r in results):
        raise typer.Exit(1)
