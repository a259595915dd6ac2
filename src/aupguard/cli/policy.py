"""`aupguard policy`: check, show, diff, publish, activate, history, accept, acceptance."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from pydantic import BaseModel
from rich.table import Table
from sqlalchemy import select

from aupguard.aup.model import AupDocument
from aupguard.aup.versions import accept as accept_version
from aupguard.aup.versions import acceptance_report, published
from aupguard.aup.versions import publish as publish_version
from aupguard.cli.common import (
    AupOption,
    DbOption,
    RulesOption,
    console,
    err_console,
    fail,
    load_policy,
    open_store,
)
from aupguard.datadiff import diff_models
from aupguard.datafile import read_yaml, validate
from aupguard.enforce.rulesets import activate as activate_ruleset
from aupguard.engine import Engine
from aupguard.errors import AupguardError, PolicyError
from aupguard.rules.model import Ruleset
from aupguard.store.models import RulesetVersion

app = typer.Typer(
    help="Check, show, compare, publish and accept AUP documents and rulesets.",
    no_args_is_help=True,
)


def _kind_of(path: Path) -> type[BaseModel]:
    """A ruleset has 'clauses' as a mapping; a document has it as a list."""
    data, _ = read_yaml(path.read_text(encoding="utf-8"), str(path))
    if isinstance(data, dict) and isinstance(data.get("clauses"), dict):
        return Ruleset
    return AupDocument


def _load_any(path: Path) -> BaseModel:
    try:
        return validate(_kind_of(path), path.read_text(encoding="utf-8"), str(path))
    except PolicyError as exc:
        for problem in exc.problems:
            err_console.print(PolicyError.format_problem(*problem), highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    except OSError as exc:
        err_console.print(f"{path}: {exc.strerror}", highlight=False)
        raise typer.Exit(2) from None


@app.command()
def check(aup: AupOption = None, rules: RulesOption = None) -> None:
    """Validate the document and the ruleset together; exit 2 with file:line on errors."""
    document, ruleset = load_policy(aup, rules)
    engine = Engine(ruleset, document)
    for name in engine.unknown_signals():
        err_console.print(f"warning: signal {name} has a weight but no detector emits it")
    for name in sorted(set(ruleset.detectors) - set(engine.registry.classes)):
        err_console.print(f"warning: detector {name!r} is configured but not installed")
    console.print(
        f"AUP {document.version} (effective {document.effective}): {len(document.clauses)} clauses"
    )
    console.print(
        f"ruleset {ruleset.version} sha256:{ruleset.content_hash}: "
        f"{len(engine.detectors)} detectors active"
    )
    console.print("ok")


@app.command()
def show(aup: AupOption = None, rules: RulesOption = None) -> None:
    """Print the AUP clauses with the signals, weights and thresholds that enforce them."""
    document, ruleset = load_policy(aup, rules)
    console.print(f"[bold]{document.title}[/] {document.version}, effective {document.effective}")
    console.print(f"ruleset {ruleset.version} sha256:{ruleset.content_hash[:16]}\n")
    for clause in document.clauses:
        rules_ = ruleset.clauses[clause.id]
        th = ruleset.thresholds_for(clause.id)
        console.print(f"[bold]{clause.id}[/] — {clause.title} [{rules_.mode.value}]")
        console.print(f"  {clause.text}", highlight=False)
        bars = ", ".join(f"{k} {v}" for k, v in th.model_dump().items() if v is not None)
        console.print(f"  thresholds: {bars}")
        for name, weight in sorted(rules_.signals.items(), key=lambda kv: -kv[1]):
            console.print(f"    {name}: {weight:+.2f}")
        console.print()


@app.command()
def diff(
    old: Annotated[Path, typer.Argument(help="Older document or ruleset.")],
    new: Annotated[Path, typer.Argument(help="Newer document or ruleset.")],
) -> None:
    """What changed between two documents or two rulesets (exit 1 when they differ)."""
    a, b = _load_any(old), _load_any(new)
    if type(a) is not type(b):
        err_console.print(f"{old} and {new} are not the same kind (document vs ruleset)")
        raise typer.Exit(2)
    lines = diff_models(a, b)
    for line in lines:
        style = {"+": "green", "-": "red"}.get(line[0], "yellow")
        console.print(f"[{style}]{line}[/]", highlight=False, soft_wrap=True)
    if not lines:
        console.print("no changes")
    raise typer.Exit(1 if lines else 0)


@app.command()
def publish(
    path: Annotated[Path, typer.Argument(help="The new AUP document YAML.")],
    actor: str = "admin:cli",
    db: DbOption = None,
) -> None:
    """Publish a new AUP version: every tenant is told once (outbox); acceptance starts."""
    document = _load_any(path)
    if not isinstance(document, AupDocument):
        fail(f"{path} is a ruleset; publish takes an AUP document (rulesets: `policy activate`)")
    store, _ = open_store(db)
    try:
        with store.write() as s:
            publish_version(
                s, document, path.read_text("utf-8"), actor=actor, now=datetime.now(UTC)
            )
    except AupguardError as exc:
        fail(str(exc))
    console.print(f"AUP {document.version} published, effective {document.effective}")


@app.command()
def activate(
    path: Annotated[Path, typer.Argument(help="The ruleset YAML to enforce from now on.")],
    actor: str = "admin:cli",
    db: DbOption = None,
) -> None:
    """Record and audit a ruleset change (tenants are not notified)."""
    _, ruleset = load_policy(None, path)
    store, _ = open_store(db)
    changed = activate_ruleset(store, ruleset, actor=actor)
    console.print(
        f"ruleset {ruleset.version} sha256:{ruleset.content_hash[:16]} "
        + ("activated" if changed else "was already active")
    )


@app.command()
def history(db: DbOption = None) -> None:
    """Every published AUP version and every ruleset version."""
    store, _ = open_store(db)
    table = Table(title="AUP versions")
    for col in ("version", "effective", "published", "by", "digest"):
        table.add_column(col)
    with store.read() as s:
        for row in published(s):
            table.add_row(
                row.version,
                str(row.effective),
                f"{row.published_at:%Y-%m-%d %H:%M}",
                row.published_by,
                row.digest[:12],
            )
        console.print(table)
        rules = Table(title="ruleset versions")
        for col in ("version", "hash", "activated", "by", "active"):
            rules.add_column(col)
        for r in s.execute(select(RulesetVersion).order_by(RulesetVersion.activated_at)).scalars():
            rules.add_row(
                r.version,
                r.hash[:16],
                f"{r.activated_at:%Y-%m-%d %H:%M}",
                r.actor,
                "yes" if r.active else "",
            )
        console.print(rules)


@app.command()
def accept(tenant: str, version: str, db: DbOption = None) -> None:
    """Record a tenant's explicit acceptance of an AUP version."""
    store, _ = open_store(db)
    try:
        with store.write() as s:
            accept_version(
                s, tenant, version, how="explicit", actor=f"tenant:{tenant}", now=datetime.now(UTC)
            )
    except AupguardError as exc:
        fail(str(exc))
    console.print(f"{tenant} accepted AUP {version}")


@app.command()
def acceptance(version: str, db: DbOption = None) -> None:
    """Who accepted a version, explicitly or by use, and who has not yet."""
    store, _ = open_store(db)
    table = Table(title=f"acceptance of AUP {version}")
    for col in ("tenant", "how", "when"):
        table.add_column(col)
    with store.read() as s:
        for line in acceptance_report(s, version):
            table.add_row(
                line.tenant_id,
                line.how or "not yet",
                f"{line.at:%Y-%m-%d %H:%M}" if line.at else "",
            )
    console.print(table)
