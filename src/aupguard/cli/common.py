"""What every command shares: loading the policy, one-line errors, the console."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console

from aupguard.aup.load import load_document
from aupguard.aup.model import AupDocument
from aupguard.errors import AupguardError, PolicyError
from aupguard.rules.load import load_ruleset
from aupguard.rules.model import Ruleset
from aupguard.settings import Settings
from aupguard.store.db import Store

console = Console()
err_console = Console(stderr=True)

AupOption = Annotated[
    Path | None, typer.Option("--aup", help="AUP document YAML (default: the shipped one).")
]
RulesOption = Annotated[
    Path | None, typer.Option("--rules", help="Ruleset YAML (default: the shipped one).")
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


DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Database URL (default: $AUPGUARD_DB_URL or .aupguard/aupguard.db)."),
]


def settings_for(db: str | None) -> Settings:
    settings = Settings(db_url=db or "")
    settings.ensure_home()
    return settings


def open_store(db: str | None) -> tuple[Store, Settings]:
    """The store at `db` (migrated), or one clear error line."""
    settings = settings_for(db)
    try:
        return Store(settings.database_url), settings
    except Exception as exc:  # connection refused, bad URL, ...
        fail(f"cannot open the database {settings.database_url}: {exc}")
