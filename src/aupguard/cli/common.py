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
from aupguard.store.db import Store, database_url

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
        "--db", help="Database URL (default: $AUPGUARD_DB_URL, else sqlite:///aupguard.db)."
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


def open_store(db: str | None) -> Store:
    """The database of --db; an existing one only, so a typo never creates an empty one."""
    url = database_url(db)
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        fail(f"no database at {url}: pass --db URL or set $AUPGUARD_DB_URL")
    try:
        return Store(url)
    except Exception as exc:  # driver errors name the host, port and reason
        fail(f"cannot open the database {url}: {exc}")
