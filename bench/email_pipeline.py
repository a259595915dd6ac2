"""The full e-mail pipeline on one core, against a compat32-parse baseline in the same run.

    python bench/email_pipeline.py [CORPUS_DIR] [--repeat N] [--profile FILE]

Default corpus: every folder of spamassassin-public (under $AUPGUARD_CORPORA or the
nearest shared/corpora). Every installed detector runs with the shipped ruleset, as
inline: views built inside `evaluate`, observations applied to an in-memory state after
each message. Excluded: clamd (no socket configured) and live DNS: the resolver is a
stub in memory that answers NXDOMAIN to every question, so the authentication
detectors do all their work but never touch the network.

Each pass starts from a fresh engine and state (cold per-URL and per-host caches, no
message seen before), so passes are alike and the first is not flattered by the
second. Printed per pass and as the median: messages per CPU-second (time.process_time
of this process, steady on a busy machine) and per wall second, per-message latency
p50/p99 (wall, as inline), and the same for the baseline (the stdlib compat32 parse of
the same bytes) with the ratio. `--profile FILE` writes a cProfile of one more pass.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from email.parser import BytesParser
from email.policy import compat32
from pathlib import Path

from aupguard.aup.load import load_document
from aupguard.auth.resolver import ZoneResolver
from aupguard.detectors.context import Context
from aupguard.engine import Engine
from aupguard.events.model import EmailContent, Event
from aupguard.events.sources import expand_paths, read_file
from aupguard.rules.load import load_ruleset
from aupguard.runtime import tune_gc
from aupguard.state.memory import MemoryState
from aupguard.training.corpora import find_corpora


def load_events(root: Path) -> list[Event]:
    return [
        e
        for p in expand_paths([root])
        if isinstance(p, Path)
        for e in read_file(p)
        if isinstance(e, Event) and isinstance(e.content, EmailContent)
    ]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


class Pass:
    """One timed pass: CPU and wall seconds, per-message wall latencies."""

    def __init__(self, cpu: float, wall: float, latencies: list[float]) -> None:
        self.cpu, self.wall, self.latencies = cpu, wall, latencies

    def rate(self, n: int) -> tuple[float, float]:
        return n / self.cpu, n / self.wall


def baseline_pass(events: list[Event]) -> Pass:
    parse = BytesParser(policy=compat32).parsebytes
    clock, lat = time.perf_counter, []
    cpu0, wall0 = time.process_time(), clock()
    for e in events:
        assert isinstance(e.content, EmailContent)
        t0 = clock()
        parse(e.content.raw)
        lat.append(clock() - t0)
    return Pass(time.process_time() - cpu0, clock() - wall0, lat)


def pipeline_pass(events: list[Event]) -> tuple[Pass, dict[str, int]]:
    document = load_document(None)
    engine = Engine(load_ruleset(None, document), document)
    resolver = ZoneResolver({})  # NXDOMAIN for every name, from memory
    state = MemoryState()
    actions: dict[str, int] = {}
    clock, lat = time.perf_counter, []
    cpu0, wall0 = time.process_time(), clock()
    for e in events:
        t0 = clock()
        ctx = Context(state=state, resolver=resolver, now=e.time)
        evaluation = engine.evaluate(e, ctx)
        state.apply(e.id, evaluation.observations, e.time)
        lat.append(clock() - t0)
        label = evaluation.verdict.action.label
        actions[label] = actions.get(label, 0) + 1
    return Pass(time.process_time() - cpu0, clock() - wall0, lat), actions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", nargs="?", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", type=Path, help="write a cProfile of one more pass")
    args = parser.parse_args()
    root = args.corpus or find_corpora() / "spamassassin-public"
    events = load_events(root)
    if not events:
        raise SystemExit(f"no e-mail under {root}")
    n = len(events)
    size = sum(len(e.content.raw) for e in events if isinstance(e.content, EmailContent))
    tune_gc()
    print(
        f"{n} messages ({size / 1e6:.1f} MB) from {root}, {args.repeat} passes, one core, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    base_passes: list[Pass] = []
    full_passes: list[Pass] = []
    for i in range(args.repeat):
        b = baseline_pass(events)
        f, actions = pipeline_pass(events)
        base_passes.append(b)
        full_passes.append(f)
        print(
            f"pass {i + 1}: pipeline {f.rate(n)[0]:,.0f} msg/CPU-s, {f.rate(n)[1]:,.0f} msg/s "
            f"wall, p50 {percentile(f.latencies, 0.5) * 1e3:.2f} ms, "
            f"p99 {percentile(f.latencies, 0.99) * 1e3:.2f} ms; baseline "
            f"{b.rate(n)[0]:,.0f} msg/CPU-s; ratio {f.cpu / b.cpu:.1f}x; actions {actions}"
        )
    med = statistics.median
    cpu_rate = med(p.rate(n)[0] for p in full_passes)
    wall_rate = med(p.rate(n)[1] for p in full_passes)
    p50 = med(percentile(p.latencies, 0.5) for p in full_passes)
    p99 = med(percentile(p.latencies, 0.99) for p in full_passes)
    base_rate = med(p.rate(n)[0] for p in base_passes)
    ratio = med(f.cpu / b.cpu for f, b in zip(full_passes, base_passes, strict=True))
    print(
        f"median: full e-mail pipeline {cpu_rate:,.0f} messages per CPU-second "
        f"({wall_rate:,.0f}/s wall), latency p50 {p50 * 1e3:.2f} ms, p99 {p99 * 1e3:.2f} ms"
    )
    print(
        f"baseline (compat32 parse alone): {base_rate:,.0f} messages per CPU-second; "
        f"the pipeline costs {ratio:.1f}x the baseline"
    )
    print(
        f"target 300 msg/s per core: {'met' if cpu_rate >= 300 else 'NOT met'}; "
        f"p99 under 30 ms: {'met' if p99 < 0.030 else 'NOT met'}; "
        f"load average now {os.getloadavg()[0]:.1f}"
    )
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
        pipeline_pass(events)
        profiler.disable()
        profiler.dump_stats(str(args.profile))
        print(f"profile of one more pass in {args.profile}")


if __name__ == "__main__":
    main()
