"""`aupguard serve`, `aupguard keys`, `aupguard reviewers`: the HTTP API and console, and access."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Annotated

import typer

from aupguard.cli.common import DbOption, console, fail, open_store


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8080,
    workers: Annotated[
        int,
        typer.Option(
            help="Server processes; with more than one, share detector state through "
            "$AUPGUARD_STATE_URL (Redis)."
        ),
    ] = 1,
    db: DbOption = None,
) -> None:
    """Start the HTTP API and the reviewer console on the embedded default (or --db)."""
    import uvicorn

    from aupguard.api.app import create_app
    from aupguard.runtime import tune_gc

    store, settings = open_store(db)  # migrated once, before any worker starts
    for name in SECRETS:  # made here, so workers never race to create a key file
        settings.secret(name)
    console.print(
        f"aupguard on http://{host}:{port}/console (API docs: /docs), "
        f"database {settings.database_url}" + (f", {workers} workers" if workers > 1 else "")
    )
    if workers > 1:  # each worker builds its own app from the environment
        store.dispose()
        os.environ["AUPGUARD_DB_URL"] = settings.database_url
        os.environ["AUPGUARD_HOME"] = str(settings.home.resolve())
        uvicorn.run(
            "aupguard.api.app:app_from_env",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="warning",
            # A worker loads the ruleset and models before it serves (over a minute was
            # seen on a busy machine); uvicorn's default of 5 s restarts it forever.
            timeout_worker_healthcheck=300,
        )
        return
    app = create_app(store, settings)
    tune_gc()
    uvicorn.run(app, host=host, port=port, log_level="warning")


# Key files under $AUPGUARD_HOME that requests use (see Settings.secret).
SECRETS = ("token", "originals", "links")


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


@keys.command("revoke")
def revoke(
    prefix: Annotated[str, typer.Argument(help="The key's prefix: the part after `agk_`.")],
    db: DbOption = None,
) -> None:
    """Revoke a key. Running servers cache keys they have seen for 5 seconds, so it is
    refused everywhere within 5 seconds."""
    from aupguard.api.security import KeyCache, revoke_key

    store, _ = open_store(db, create=False)
    with store.write() as s:
        done = revoke_key(s, prefix.removeprefix("agk_").split("_")[0], datetime.now(UTC))
    if not done:
        fail(f"no active key with prefix {prefix}")
    console.print(f"key {prefix} revoked (servers refuse it within {KeyCache.TTL:g} s)")


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
