"""`aupguard bench PATH`: messages/s, MB/s and latency percentiles per stage and detector."""

from __future__ import annotations

import time
from email.parser import BytesParser
from email.policy import compat32
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from aupguard.cli.common import AupOption, RulesOption, console, fail, load_policy
from aupguard.engine import Engine
from aupguard.events.model import EmailContent, Event
from aupguard.events.normalize import views_for
from aupguard.events.sources import expand_paths, read_file
from aupguard.runtime import tune_gc


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def _size(event: Event) -> int:
    content = event.content
    return len(content.raw) if isinstance(content, EmailContent) else 0


def bench(
    paths: Annotated[list[Path], typer.Argument(help="Corpus files or directories.")],
    repeat: Annotated[int, typer.Option(help="Passes over the corpus.")] = 3,
    aup: AupOption = None,
    rules: RulesOption = None,
) -> None:
    """Measure the engine on one core, against a stdlib-parse-only baseline in the same run."""
    document, ruleset = load_policy(aup, rules)
    tune_gc()
    engine = Engine(ruleset, document)
    events = [
        e
        for p in expand_paths(paths)
        if isinstance(p, Path)
        for e in read_file(p)
        if isinstance(e, Event)
    ]
    if not events:
        fail("no readable events under the given paths")
    total_bytes = sum(_size(e) for e in events)
    parser = BytesParser(policy=compat32)

    base = time.perf_counter()
    for _ in range(repeat):
        for e in events:
            if isinstance(e.content, EmailContent):
                parser.parsebytes(e.content.raw)
    baseline_s = (time.perf_counter() - base) / repeat

    clock = time.perf_counter
    view_times: list[float] = []
    for _ in range(repeat):
        for e in events:
            t0 = clock()
            views = views_for(e, engine.limits)
            _ = views.text_parts, views.urls, views.attachments  # full views, as inline
            view_times.append(clock() - t0)
    per_detector: dict[str, float] = {}
    # The real pipeline, end to end, views built inside evaluate.
    totals: list[float] = []
    cpu_started = time.process_time()
    started = clock()
    for _ in range(repeat):
        for e in events:
            t0 = clock()
            ev = engine.evaluate(e, dry_run=True, timings=per_detector)
            views = ev.views
            _ = views.text_parts, views.urls, views.attachments
            totals.append(clock() - t0)
    elapsed = (clock() - started) / repeat
    cpu = (time.process_time() - cpu_started) / repeat
    n = len(events)
    console.print(f"{n} events, {total_bytes / 1e6:.1f} MB, {repeat} passes, one core")
    console.print(
        f"throughput: {n / elapsed:,.0f} events/s, {total_bytes / 1e6 / elapsed:.1f} MB/s "
        "(wall clock)"
    )
    console.print(
        f"per core: {n / cpu:,.0f} events per CPU-second (the time this process ran; a busy "
        "machine does not distort it)"
    )
    if baseline_s > 0:
        console.print(
            f"baseline (stdlib compat32 parse only): {n / baseline_s:,.0f} events/s; "
            f"full pipeline costs {elapsed / baseline_s:.2f}x the baseline"
        )
    table = Table(title="latency per event (ms)")
    for col in ("stage", "mean", "p50", "p90", "p99", "share"):
        table.add_column(col, justify="right" if col != "stage" else "left")
    total_time = sum(totals) or 1.0

    def row(label: str, mean: float, values: list[float] | None) -> None:
        cells = [f"{_percentile(values, q) * 1e3:.3f}" if values else "-" for q in (0.5, 0.9, 0.99)]
        share = mean * n * repeat / total_time
        table.add_row(label, f"{mean * 1e3:.3f}", *cells, f"{share:.0%}")

    row("views (parse, MIME, HTML, URLs)", sum(view_times) / len(view_times), view_times)
    for name, secs in sorted(per_detector.items(), key=lambda kv: -kv[1]):
        row(name if name == "judge" else f"detector {name}", secs / (n * repeat), None)
    row("total", sum(totals) / len(totals), totals)
    console.print(table)
