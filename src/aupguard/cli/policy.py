"""`aupguard policy check|show|diff`: the AUP document and the ruleset, as data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from pydantic import BaseModel

from aupguard.aup.model import AupDocument
from aupguard.cli.common import AupOption, RulesOption, console, err_console, load_policy
from aupguard.datadiff import diff_models
from aupguard.datafile import read_yaml, validate
from aupguard.engine import Engine
from aupguard.errors import PolicyError
from aupguard.rules.model import Ruleset

app = typer.Typer(help="Check, show and compare AUP documents and rulesets.", no_args_is_help=True)


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
