"""What every command shares: loading the policy, one-line errors, the console."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console

from aupguard.aup.load import load_document
from aupguard.aup.model import AupDocument
from aupguard.errors import AupguardError, PolicyError
from aupguard.rules.load import load_ruleset
from aupguard.rules.model import Ruleset
from aupguard.settings import Settings

if TYPE_CHECKING:  # the store (SQLAlchemy) loads only for commands that open one
    from aupguard.store.db import Store

console = Console()
err_console = Console(stderr=True)

AupOption = Annotated[
    Path | None, typer.Option("--aup", help="AUP document YAML (default: the shipped one).")
]
RulesOption = Annotated[
    Path | None, typer.Option("--rules", help="Ruleset YAML (default: the shipped one).")
]
DbOption = Annotated[
    str | None,
    typer.Option(
        "--db", help="Database URL (default: $AUPGUARD_DB_URL, else .aupguard/aupguard.db)."
    ),
]


def fail(message: str, code: int = 2) -> NoReturn:
    """One clear line on stderr, then a non-zero exit."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def load_policy(aup: Path | None, rules: Path | None) -> tuple[AupDocument, Ruleset]:
    try:
        document = load_document(aup)
        return document, load_ruleset(rules, document)
    except PolicyError as exc:
        for problem in exc.problems:
            err_console.print(PolicyError.format_problem(*problem), highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    except AupguardError as exc:
        fail(str(exc))


def settings_for(db: str | None) -> Settings:
    settings = Settings(db_url=db or "")
    settings.ensure_home()
    return settings


def open_store(db: str | None, *, create: bool = True) -> tuple[Store, Settings]:
    """The store at `db` (migrated), or one clear error line. With create=False a missing
    SQLite file is an error, so a typo in --db never yields an empty database."""
    settings = settings_for(db)
    url = settings.database_url
    if not create and url.startswith("sqlite:///") and not Path(url[10:]).exists():
        fail(f"no database at {url}: pass --db URL or set $AUPGUARD_DB_URL")
    try:
        from aupguard.store.db import Store

        return Store(settings.database_url), settings
    except Exception as exc:  # connection refused, bad URL, ...
        fail(f"cannot open the database {settings.database_url}: {exc}")
