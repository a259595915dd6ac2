"""Cost of the spam stage per e-mail, against a stdlib-parse baseline measured in the same run.

    python bench/spam_stage.py [CORPUS_DIR] [--repeat N]

Default corpus: spamassassin-public under $AUPGUARD_CORPORA or the nearest shared/corpora.
Views (parse, text parts, URLs, headers) are built first and not counted: they are the
foundation's stage. The spam stage is the `spam_email` and `bulk` detectors' `check` on
those views, with the bulk windows read from and written to an in-memory state, one core.
The machine is shared, so absolute numbers are noisy; the ratio to the baseline is steadier.
"""

from __future__ import annotations

import argparse
import statistics
import time
from email.parser import BytesParser
from email.policy import compat32
from pathlib import Path

from aupguard.detectors.bulk import BulkDetector
from aupguard.detectors.context import Context
from aupguard.detectors.spam_email import SpamEmailDetector
from aupguard.events.model import EmailContent, Event
from aupguard.events.normalize import views_for
from aupguard.events.sources import expand_paths, read_file
from aupguard.runtime import tune_gc
from aupguard.signals import Observation
from aupguard.state.memory import MemoryState
from aupguard.training.corpora import find_corpora


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", nargs="?", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    root = args.corpus or find_corpora() / "spamassassin-public"
    events = [
        e
        for p in expand_paths([root])
        if isinstance(p, Path)
        for e in read_file(p)
        if isinstance(e, Event) and isinstance(e.content, EmailContent)
    ]
    tune_gc()
    spam, bulk = SpamEmailDetector(), BulkDetector()
    parse = BytesParser(policy=compat32).parsebytes
    baseline: list[float] = []
    stage: list[float] = []
    per_detector = {"spam_email": 0.0, "bulk": 0.0}
    ham_time = ham_count = 0.0  # ham (folders named *ham*): what most traffic looks like
    clock = time.perf_counter
    for _ in range(args.repeat):
        state = MemoryState()
        started = clock()
        for e in events:
            assert isinstance(e.content, EmailContent)
            parse(e.content.raw)
        baseline.append((clock() - started) / len(events))
        views = [views_for(e) for e in events]
        for v in views:  # the foundation's stage, built before timing
            _ = v.text_parts, v.urls, v.headers
        total = 0.0
        for v in views:
            ctx = Context(state=state, now=v.event.time)
            t0 = clock()
            spam.check(v, ctx)
            t1 = clock()
            found = bulk.check(v, ctx)
            t2 = clock()
            state.apply(v.event.id, [f for f in found if isinstance(f, Observation)], v.event.time)
            per_detector["spam_email"] += t1 - t0
            per_detector["bulk"] += t2 - t1
            total += t2 - t0
            if "ham" in Path(v.event.source).parent.name:
                ham_time += t2 - t0
                ham_count += 1
        stage.append(total / len(views))
    base, cost = statistics.median(baseline), statistics.median(stage)
    n = len(events) * args.repeat
    print(
        f"{len(events)} e-mails from {root}, {args.repeat} passes, one core (noisy: shared machine)"
    )
    print(f"baseline, stdlib compat32 parse only: {base * 1e3:.3f} ms per e-mail")
    print(
        f"spam stage (spam_email + bulk checks): {cost * 1e3:.3f} ms per e-mail "
        f"= {cost / base:.2f}x the baseline (budget: 0.3 ms)"
    )
    if ham_count:
        ham = ham_time / ham_count
        print(f"  on ham only: {ham * 1e3:.3f} ms = {ham / base:.2f}x the baseline")
    for name, secs in per_detector.items():
        print(f"  {name}: {secs / n * 1e3:.3f} ms")


if __name__ == "__main__":
    main()
