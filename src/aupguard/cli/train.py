"""`aupguard train`: retrain the shipped spam models from the corpora, with a CV report."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from aupguard.cli.common import console, err_console, fail
from aupguard.errors import AupguardError

if TYPE_CHECKING:
    from aupguard.training.corpora import LabelledSet
    from aupguard.training.fit import Spec

app = typer.Typer(help="Train the small models aupguard ships, from corpora that may be shipped.")

PACKAGE_MODELS = Path(__file__).resolve().parent.parent / "models"

CorpusOption = Annotated[
    Path | None,
    typer.Option(
        help="Corpus folder (default: spamassassin-public / sms-spam-collection "
        "under $AUPGUARD_CORPORA or the nearest shared/corpora)."
    ),
]
CvOption = Annotated[int, typer.Option("--cv", help="Outer folds of the nested CV (0: none).")]
OutOption = Annotated[
    Path,
    typer.Option(
        help="Where to write <name>.npz and its data card <name>.md (default: the package's "
        "models folder).",
        show_default=False,
    ),
]
ReportOption = Annotated[bool, typer.Option("--report", help="Print the CV quality table.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the CV numbers as JSON.")]
LimitOption = Annotated[
    int | None, typer.Option(help="Read at most this many items per folder (quick trials).")
]


@app.command("spam-email")
def spam_email(
    corpus: CorpusOption = None,
    cv: CvOption = 10,
    out: OutOption = PACKAGE_MODELS,
    report: ReportOption = False,
    as_json: JsonOption = False,
    limit: LimitOption = None,
) -> None:
    """Train the e-mail spam model on spamassassin-public (every folder present)."""
    from aupguard.training.spam import EMAIL_SPEC, load_email

    _run(
        "spam_email",
        "spamassassin-public",
        corpus,
        cv,
        out,
        report,
        as_json,
        limit,
        load_email,
        EMAIL_SPEC,
    )


@app.command("spam-sms")
def spam_sms(
    corpus: CorpusOption = None,
    cv: CvOption = 10,
    out: OutOption = PACKAGE_MODELS,
    report: ReportOption = False,
    as_json: JsonOption = False,
    limit: LimitOption = None,
) -> None:
    """Train the SMS/chat spam model on sms-spam-collection."""
    from aupguard.training.spam import SMS_SPEC, load_sms

    _run(
        "spam_sms",
        "sms-spam-collection",
        corpus,
        cv,
        out,
        report,
        as_json,
        limit,
        load_sms,
        SMS_SPEC,
    )


def _run(
    kind: str,
    default_name: str,
    corpus: Path | None,
    cv: int,
    out: Path,
    report: bool,
    as_json: bool,
    limit: int | None,
    loader: Callable[[Path, int | None], LabelledSet],
    spec: Spec,
) -> None:
    from aupguard.training.corpora import SHIPPABLE, find_corpora
    from aupguard.training.spam import train_and_save

    try:
        path = corpus or find_corpora() / default_name
        if not path.exists():
            fail(f"{path}: no such corpus; pass --corpus or set AUPGUARD_CORPORA")
        name = path.name if path.is_dir() else path.parent.name
        if out.resolve() == PACKAGE_MODELS and name not in SHIPPABLE:
            fail(f"{name}: its licence does not allow shipping a model; write with --out elsewhere")
        with Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=err_console,
            transient=True,
        ) as progress:
            task = progress.add_task(f"reading {path}", total=None)
            data = loader(path, limit)
            progress.update(task, description=f"{len(data.labels)} items: training")
            outcome = train_and_save(
                kind, data, spec, out, cv, lambda step: progress.update(task, description=step)
            )
    except AupguardError as exc:
        fail(str(exc))
    err_console.print(
        f"wrote {outcome.model} ({outcome.vocabulary} features, threshold "
        f"{outcome.threshold:.4f}, sha256 {outcome.sha256[:16]}...) and {outcome.card}"
    )
    r = outcome.report
    if r is None:
        return
    if as_json:
        console.print_json(json.dumps(r.as_dict()))
    elif report:
        table = Table(title=f"{kind}: {r.folds}-fold nested cross-validation, {r.items} items")
        for col in ("metric", "value", "95 % Wilson interval"):
            table.add_column(col)
        table.add_row(
            "spam recall",
            f"{r.recall:.4f} ({r.tp}/{r.spam})",
            f"[{r.recall_ci95[0]:.4f}, {r.recall_ci95[1]:.4f}]",
        )
        table.add_row(
            "false positives on ham",
            f"{r.fpr:.4%} ({r.fp}/{r.ham})",
            f"[{r.fpr_ci95[0]:.4%}, {r.fpr_ci95[1]:.4%}]",
        )
        table.add_row("precision", f"{r.precision:.4f}", "")
        table.add_row("F1", f"{r.f1:.4f}", "")
        table.add_row("AUPRC", f"{r.auprc:.4f}", "")
        for g, n, k in r.by_group:
            table.add_row(f"  {g}", f"{k}/{n} flagged ({k / n:.2%})", "")
        console.print(table)
    else:
        console.print(
            f"CV: recall {r.recall:.4f}, FPR {r.fpr:.4%} (upper {r.fpr_ci95[1]:.4%}), F1 {r.f1:.4f}"
        )


def _register_other_models() -> None:
    """The phishing and harmful-content trainers live in their own modules."""
    from aupguard.cli import train_harmful, train_phishing

    app.command("phishing")(train_phishing.phishing)
    app.command("harmful")(train_harmful.harmful)
    app.command("encoder")(train_harmful.encoder)


_register_other_models()
