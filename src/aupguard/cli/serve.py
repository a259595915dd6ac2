"""`aupguard serve`, `aupguard keys`, `aupguard reviewers`: the HTTP API and console, and access."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from aupguard.cli.common import DbOption, console, fail, open_store


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8080,
    workers: Annotated[int, typer.Option(help="Server processes.")] = 1,
    db: DbOption = None,
) -> None:
    """Start the HTTP API and the reviewer console on the embedded default (or --db)."""
    import uvicorn

    from aupguard.api.app import create_app
    from aupguard.runtime import tune_gc

    store, settings = open_store(db)
    tune_gc()
    app = create_app(store, settings)
    console.print(
        f"aupguard on http://{host}:{port}/console (API docs: /docs), "
        f"database {settings.database_url}"
    )
    uvicorn.run(
        app, host=host, port=port, workers=1 if workers < 2 else workers, log_level="warning"
    )


keys = typer.Typer(help="API keys (stored hashed; shown once).", no_args_is_help=True)


@keys.command("create")
def create(
    name: str,
    scope: Annotated[list[str], typer.Option(help="decide, reporter or admin (repeatable).")],
    tenant: Annotated[str | None, typer.Option(help="Bind the key to one tenant.")] = None,
    db: DbOption = None,
) -> None:
    """Create a key and print it once."""
    from aupguard.api.security import create_key

    store, _ = open_store(db)
    try:
        with store.write() as s:
            key = create_key(s, name, scope, tenant)
    except ValueError as exc:
        fail(str(exc))
    console.print(key)


reviewers = typer.Typer(help="Reviewer accounts for the console.", no_args_is_help=True)


@reviewers.command("add")
def add(
    username: str,
    role: Annotated[str, typer.Option(help="viewer, reviewer or admin.")] = "reviewer",
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)
    ] = "",
    db: DbOption = None,
) -> None:
    """Create a reviewer (password hashed with argon2id)."""
    from aupguard.web.accounts import create_reviewer

    store, _ = open_store(db)
    try:
        with store.write() as s:
            create_reviewer(s, username, password, role, datetime.now(UTC))
    except ValueError as exc:
        fail(str(exc))
    console.print(f"reviewer {username} ({role}) created")


def migrate(db: DbOption = None) -> None:
    """Create or upgrade the database schema to the newest migration, then exit."""
    store, settings = open_store(db)  # opening the store runs the Alembic migrations
    store.dispose()
    console.print(f"database {settings.database_url} is at the newest migration")


def purge(db: DbOption = None) -> None:
    """Apply the retention settings: old send-log days and expired originals are removed."""
    from aupguard.enforce.retention import purge as run_purge

    store, settings = open_store(db)
    with store.write() as s:
        done = run_purge(s, datetime.now(UTC), settings.send_log_days, "cli")
    console.print(
        f"purged {done.send_log_rows} send-log rows older than {settings.send_log_days} "
        f"days and {done.originals} expired originals"
    )
