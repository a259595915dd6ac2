"""The import rules of DESIGN.md, checked by walking every module's imports."""

from __future__ import annotations

import ast
from pathlib import Path

import aupguard

SRC = Path(aupguard.__file__).parent

# package -> packages it must never import (DESIGN.md, "Import rules")
FORBIDDEN: dict[str, set[str]] = {
    "events": {
        "detectors",
        "rules",
        "engine",
        "decide",
        "store",
        "enforce",
        "state",
        "api",
        "web",
        "cli",
        "gateways",
        "stream",
        "reports",
        "notify",
        "audit",
        "aup",
    },
    "detectors": {
        "store",
        "enforce",
        "rules",
        "engine",
        "decide",
        "api",
        "web",
        "cli",
        "gateways",
        "stream",
        "reports",
        "notify",
        "audit",
    },
    "rules": {
        "detectors",
        "engine",
        "decide",
        "store",
        "enforce",
        "api",
        "web",
        "cli",
        "gateways",
        "stream",
    },
    "aup": {"rules", "detectors", "engine", "api", "web", "cli", "gateways", "stream"},
    "engine": {"store", "enforce", "decide", "api", "web", "cli", "gateways", "stream"},
    "state": {"detectors", "rules", "engine", "store", "enforce", "api", "web", "cli"},
    "decide": {"api", "web", "cli", "gateways", "stream"},
    "enforce": {"api", "web", "cli", "gateways", "stream", "detectors", "engine"},
    "audit": {"api", "web", "cli", "gateways", "stream"},
    "notify": {"api", "web", "cli", "gateways", "stream"},
    "reports": {"api", "web", "cli", "gateways", "stream"},
    "store": {"api", "web", "cli", "gateways", "stream", "engine", "detectors"},
    # content models and hash banks (issue 8): detectors use them, so they stay below the
    # decision side; banks.lists (import, snapshot) is the one part that uses the store.
    "content": {"store", "decide", "engine", "rules", "api", "web", "cli", "gateways", "stream"},
    "banks": {"detectors", "engine", "rules", "decide", "enforce", "api", "web", "cli", "gateways"},
    "auth": {
        "detectors",
        "rules",
        "engine",
        "decide",
        "store",
        "enforce",
        "api",
        "web",
        "cli",
        "gateways",
        "stream",
    },
    "gateways": {"api", "web", "cli", "stream"},
}


def _package_of(path: Path) -> str:
    rel = path.relative_to(SRC)
    return rel.parts[0].removesuffix(".py")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("aupguard."):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("aupguard."):
                    found.add(alias.name.split(".")[1])
    return found


def test_import_rules_hold() -> None:
    broken = []
    for path in SRC.rglob("*.py"):
        package = _package_of(path)
        bad = _imports(path) & FORBIDDEN.get(package, set())
        if bad:
            broken.append(f"{path.relative_to(SRC)} imports {sorted(bad)}")
    assert not broken, "\n".join(broken)


def test_every_module_opens_with_a_docstring() -> None:
    missing = [
        str(p.relative_to(SRC))
        for p in SRC.rglob("*.py")
        if p.stat().st_size and ast.get_docstring(ast.parse(p.read_text())) is None
    ]
    assert not missing, missing
