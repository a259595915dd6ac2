"""Load and validate rulesets against the AUP document; errors carry file:line."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from aupguard import datafile
from aupguard.aup.model import AupDocument
from aupguard.datafile import read_yaml
from aupguard.errors import PolicyError
from aupguard.rules.model import Ruleset

DEFAULT_PATH = Path(str(files("aupguard.rules") / "default" / "rules.yaml"))


def load_ruleset(path: Path | None = None, document: AupDocument | None = None) -> Ruleset:
    """The ruleset at `path` (the shipped default when None), cross-checked with `document`."""
    path = path or DEFAULT_PATH
    ruleset = datafile.load(Ruleset, path)
    if document is not None:
        check_against_document(ruleset, document, path)
    return ruleset


def check_against_document(ruleset: Ruleset, document: AupDocument, path: Path) -> None:
    """Every clause the ruleset names must exist in the document, and the reverse."""
    _, lines = read_yaml(path.read_text(encoding="utf-8"), str(path))
    problems: list[tuple[str, int | None, str]] = []
    for clause in ruleset.clauses:
        if clause not in document.by_id:
            known = ", ".join(document.by_id)
            problems.append(
                (
                    str(path),
                    lines.get(("clauses", clause)),
                    f"clauses.{clause}: not a clause of AUP {document.version} "
                    f"(expected one of: {known})",
                )
            )
    for clause in document.by_id:
        if clause not in ruleset.clauses:
            problems.append(
                (str(path), lines.get(("clauses",)), f"clauses: AUP clause {clause!r} has no rules")
            )
    if problems:
        raise PolicyError(problems)
