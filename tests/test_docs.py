"""Docs are tested: generated references are current, every hook and signal is documented."""

from __future__ import annotations

import inspect
from pathlib import Path

from aupguard.cli.docgen import cli_reference, signals_reference
from aupguard.cli.main import app
from aupguard.detectors import hookspecs
from aupguard.detectors.registry import Registry

DOCS = Path(__file__).resolve().parent.parent / "docs"
FIX = "run `python scripts/gen_docs.py` and commit the result"


def test_cli_reference_is_current() -> None:
    assert (DOCS / "cli.md").read_text() == cli_reference(app) + "\n", FIX


def test_signals_reference_is_current() -> None:
    assert (DOCS / "signals.md").read_text() == signals_reference(Registry.from_plugins()) + "\n", (
        FIX
    )


def test_every_hook_is_documented() -> None:
    text = (DOCS / "plugins.md").read_text()
    for cls in (hookspecs.DetectorSpec,):
        for name, fn in inspect.getmembers(cls, inspect.isfunction):
            assert fn.__doc__, f"hook {name} has no docstring"
            assert f"`{name}`" in text, f"hook {name} is not in docs/plugins.md"
