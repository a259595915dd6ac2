"""`aupguard eval`: precision, recall, F1 and false-positive rate on a labelled corpus."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from aupguard.cli.common import AupOption, RulesOption, console, err_console, fail, load_policy
from aupguard.cli.scanning import InputMode, ScanRow, Split, scan_files
from aupguard.cli.train_phishing import in_held_out_half
from aupguard.events.sources import expand_paths
from aupguard.metrics import average_precision, pr_curve, quality
from aupguard.rules.model import Action
from aupguard.runtime import tune_gc


def _rows(
    paths: list[Path],
    jobs: int,
    aup: Path | None,
    rules: Path | None,
    mode: InputMode = InputMode.AS_IS,
    held_out: bool = False,
    split: Split = Split.ALL,
) -> list[ScanRow]:
    document, ruleset = load_policy(aup, rules)
    files = [p for p in expand_paths(paths) if isinstance(p, Path)]
    if held_out:
        files = [p for p in files if in_held_out_half(p)]
    rows = list(scan_files(files, document, ruleset, jobs, mode=mode, split=split))
    bad = [r for r in rows if r.error]
    for r in bad[:5]:
        err_console.print(f"{r.source}: error: {r.error}", highlight=False)
    if bad:
        err_console.print(f"{len(bad)} inputs unreadable (left out of the counts)")
    return [r for r in rows if r.error is None]


def _table(
    paths: list[Path],
    positive: list[str],
    negative: list[str],
    channel: str,
    label_column: str,
    text_column: str,
    aup: Path | None,
    rules: Path | None,
) -> tuple[list[ScanRow], list[ScanRow]]:
    from aupguard.cli.labelled import read_table, table_rows, unusable
    from aupguard.errors import InputError
    from aupguard.events.model import Channel

    document, ruleset = load_policy(aup, rules)
    try:
        kind = Channel(channel)
        rows = [r for p in paths for r in read_table(p, label_column, text_column)]
    except ValueError:
        fail(f"--channel {channel!r}: expected sms or chat")
    except InputError as exc:
        fail(str(exc))
    empty = unusable(rows)
    if empty:
        err_console.print(f"{len(empty)} rows with an empty label or text left out: {empty[:3]}")
        rows = [r for r in rows if r[2] not in set(empty)]
    pos_labels = {p.casefold() for p in positive}  # labels compare case-insensitively
    neg_labels = {n.casefold() for n in negative}
    other = sorted({lab.casefold() for lab, _, _ in rows} - pos_labels - neg_labels)
    if other:
        n = sum(1 for lab, _, _ in rows if lab.casefold() in other)
        err_console.print(
            f"{n} rows labelled {', '.join(other)} left out (not --positive/--negative)"
        )
    pos = [r for r in rows if r[0].casefold() in pos_labels]
    neg = [r for r in rows if r[0].casefold() in neg_labels]
    return table_rows(pos, kind, document, ruleset), table_rows(neg, kind, document, ruleset)


def evaluate(
    pos: Annotated[
        list[Path] | None, typer.Option("--pos", help="Inputs that violate (repeatable).")
    ] = None,
    neg: Annotated[
        list[Path] | None, typer.Option("--neg", help="Inputs that do not (repeatable).")
    ] = None,
    tables: Annotated[
        list[Path] | None,
        typer.Option(
            "--table",
            help="Labelled texts: TSV `label<TAB>text` or CSV with a header (repeatable).",
        ),
    ] = None,
    positive: Annotated[
        list[str] | None, typer.Option(help="Table labels that violate (default: spam).")
    ] = None,
    negative: Annotated[
        list[str] | None, typer.Option(help="Table labels that do not (default: ham).")
    ] = None,
    channel: Annotated[str, typer.Option(help="Channel of the table's texts.")] = "sms",
    label_column: Annotated[str, typer.Option(help="CSV column of the label.")] = "LABEL",
    text_column: Annotated[str, typer.Option(help="CSV column of the text.")] = "TEXT",
    evalset: Annotated[
        Path | None,
        typer.Option(help="A labelled JSON Lines set (evalsets/*/*.jsonl); needs --clause."),
    ] = None,
    corpus: Annotated[
        str | None,
        typer.Option(help="A public corpus by name (see docs/harmful-content.md); needs --clause."),
    ] = None,
    corpora: Annotated[
        Path | None, typer.Option(help="Folder of the public corpora (for --corpus).")
    ] = None,
    limit: Annotated[int, typer.Option(help="With --corpus: a fixed sample of this size.")] = 0,
    clause: Annotated[
        str | None, typer.Option(help="Score this clause only (default: the worst clause).")
    ] = None,
    at: Annotated[str, typer.Option(help="Action that counts as detected.")] = "flag",
    plot: Annotated[Path | None, typer.Option(help="Write a precision-recall PNG here.")] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Processes (0: one per core).")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the numbers as JSON.")] = False,
    as_submitted: Annotated[
        bool,
        typer.Option(
            "--as-submitted",
            help="Reduce each message to the header fields a sender writes, one neutral To, "
            "publishers' placeholders replaced (events/submission.py).",
        ),
    ] = False,
    urls: Annotated[
        bool,
        typer.Option(
            "--urls",
            help="Inputs are URL lists (one per line, or CSV with a url/URL column); each URL "
            "is judged as an SMS holding only that link.",
        ),
    ] = False,
    split: Annotated[
        Split,
        typer.Option(
            help="all, dev (30 %% of the items of each input, by a hash of the URL or of "
            "the message's source; for development) or test (the other 70 %%, for reporting).",
        ),
    ] = Split.ALL,
    held_out: Annotated[
        bool,
        typer.Option(
            "--held-out",
            help="Keep only spamassassin-public files the phishing model was not trained on.",
        ),
    ] = False,
    aup: AupOption = None,
    rules: RulesOption = None,
) -> None:
    """Scan labelled inputs and report quality with 95 % Wilson intervals."""
    tune_gc()
    try:
        bar = Action.parse(at)
    except KeyError:
        fail(f"--at {at!r}: expected flag, hold, defer or block")
    if evalset is not None or corpus is not None:
        _labelled(evalset, corpus, corpora, limit, clause, bar, aup, rules)
        return
    if not (pos and neg) and not tables:
        fail("give --pos and --neg inputs, --table FILE, --evalset FILE or --corpus NAME")
    jobs = jobs or os.cpu_count() or 1
    if urls and as_submitted:
        fail("--urls and --as-submitted do not go together")
    mode = InputMode.URLS if urls else InputMode.AS_SUBMITTED if as_submitted else InputMode.AS_IS
    positives = _rows(pos, jobs, aup, rules, mode, held_out, split) if pos else []
    negatives = _rows(neg, jobs, aup, rules, mode, held_out, split) if neg else []
    if tables:
        more_pos, more_neg = _table(
            tables,
            positive or ["spam"],
            negative or ["ham"],
            channel,
            label_column,
            text_column,
            aup,
            rules,
        )
        positives += more_pos
        negatives += more_neg
    if not positives or not negatives:
        fail("need at least one readable positive and one readable negative input")
    labels = [True] * len(positives) + [False] * len(negatives)
    rows = positives + negatives

    def score(r: ScanRow) -> float:
        return r.scores.get(clause, 0.0) if clause else max(r.scores.values(), default=0.0)

    def hit(r: ScanRow) -> bool:
        return Action.parse(r.action) >= bar and (clause is None or clause in r.clauses)

    q = quality(labels, [hit(r) for r in rows])
    scores = [score(r) for r in rows]
    ap = average_precision(labels, scores)
    ci = q.intervals()
    result = {
        "positives": len(positives),
        "negatives": len(negatives),
        "tp": q.tp,
        "fp": q.fp,
        "fn": q.fn,
        "tn": q.tn,
        "precision": q.precision,
        "recall": q.recall,
        "f1": q.f1,
        "fpr": q.fpr,
        "auprc": ap,
        "ci95": ci,
        "clause": clause,
        "at": at,
        "input": mode.value,
        "split": split.value,
    }
    if as_json:
        console.print_json(json.dumps(result))
    else:
        table = Table(title=f"quality ({clause or 'any clause'}, detected at {at} or worse)")
        for col in ("metric", "value", "95 % Wilson interval"):
            table.add_column(col)
        table.add_row("events", f"{len(positives)} positive, {len(negatives)} negative", "")
        table.add_row("confusion", f"TP {q.tp}  FP {q.fp}  FN {q.fn}  TN {q.tn}", "")
        for name in ("precision", "recall", "fpr"):
            lo, hi = ci[name]
            table.add_row(name, f"{getattr(q, name):.4f}", f"[{lo:.4f}, {hi:.4f}]")
        table.add_row("F1", f"{q.f1:.4f}", "")
        table.add_row("AUPRC", f"{ap:.4f}", "")
        console.print(table)
    if plot:
        _plot(plot, pr_curve(labels, scores), ap, clause)
        err_console.print(f"precision-recall curve written to {plot}")


def _labelled(
    evalset: Path | None,
    corpus: str | None,
    corpora: Path | None,
    limit: int,
    clause: str | None,
    bar: Action,
    aup: Path | None,
    rules: Path | None,
) -> None:
    from aupguard.cli import evalsets

    if clause is None:
        fail("--evalset and --corpus need --clause (the clause the set measures)")
    document, ruleset = load_policy(aup, rules)
    if clause not in ruleset.clauses:
        fail(f"--clause {clause!r}: not a clause of the ruleset")
    if evalset is not None:
        if not evalset.is_file():
            fail(f"--evalset {evalset}: no such file")
        items = evalsets.evalset_items(evalset)
    else:
        assert corpus is not None
        if corpus not in evalsets.CORPORA:
            fail(f"--corpus {corpus!r}: expected one of {', '.join(evalsets.CORPORA)}")
        from aupguard.cli.train_harmful import _default_corpora

        root = corpora or _default_corpora()
        if root is None or not (root / corpus).is_dir():
            fail(f"corpus {corpus} not found; pass --corpora FOLDER")
        items = evalsets.corpus_items(root, corpus, limit)
    result = evalsets.run(document, ruleset, items, clause, bar)
    console.print_json(json.dumps({"clause": clause, "at": bar.label, **result}))


def _plot(
    path: Path, curve: list[tuple[float, float, float]], ap: float, clause: str | None
) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 4), dpi=120)
    ax.step([r for _, _, r in curve], [p for _, p, _ in curve], where="post")
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_xlim(0, 1.01)
    ax.set_ylim(0, 1.01)
    ax.set_title(f"{clause or 'any clause'}: AUPRC {ap:.3f}")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
