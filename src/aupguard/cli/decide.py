"""`aupguard decide PATH...`: run inputs through the decision component and record them."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from aupguard.cli.common import DbOption, RulesOption, console, err_console, load_policy, open_store
from aupguard.decide import Decider
from aupguard.errors import InputError
from aupguard.events.sources import expand_paths, read_file
from aupguard.runtime import tune_gc


def decide(
    paths: Annotated[list[Path], typer.Argument(help="Files or directories of events.")],
    tenant: Annotated[
        str | None, typer.Option(help="Tenant for events that do not name one.")
    ] = None,
    db: DbOption = None,
    rules: RulesOption = None,
) -> None:
    """Decide every event (status, engine, record, enforce) and print a summary."""
    _, ruleset = load_policy(None, rules)
    store, settings = open_store(db)
    tune_gc()
    decider = Decider(store, ruleset=ruleset, settings=settings)
    files = [p for p in expand_paths(paths) if isinstance(p, Path)]
    actions: Counter[str] = Counter()
    cases: set[str] = set()
    errors = 0
    progress = Progress(
        TextColumn("deciding"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err_console,
        disable=not err_console.is_terminal,
        transient=True,
    )
    with progress:
        task = progress.add_task("decide", total=len(files))
        for path in files:
            for item in read_file(path):
                if isinstance(item, InputError):
                    errors += 1
                    err_console.print(f"{item.source}: error: {item.reason}", highlight=False)
                    continue
                if tenant and item.tenant is None:
                    from dataclasses import replace

                    item = replace(item, tenant=tenant)
                decision = decider.decide(item)
                actions[decision.action] += 1
                if decision.case_ref:
                    cases.add(decision.case_ref)
            progress.advance(task)
    total = sum(actions.values())
    summary = ", ".join(f"{n} {a}" for a, n in sorted(actions.items()))
    console.print(
        f"{total} events decided ({summary}); {len(cases)} cases touched; "
        f"{errors} inputs unreadable; database {settings.database_url}"
    )
