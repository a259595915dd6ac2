"""Regenerate docs/cli.md and docs/signals.md from the code."""

from __future__ import annotations

from pathlib import Path

from aupguard.cli.docgen import cli_reference, signals_reference
from aupguard.cli.main import app
from aupguard.detectors.registry import Registry

DOCS = Path(__file__).resolve().parent.parent / "docs"

if __name__ == "__main__":
    (DOCS / "cli.md").write_text(cli_reference(app) + "\n", encoding="utf-8")
    (DOCS / "signals.md").write_text(
        signals_reference(Registry.from_plugins()) + "\n", encoding="utf-8"
    )
    print("wrote docs/cli.md and docs/signals.md")
