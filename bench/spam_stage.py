"""Cost of the spam stage per e-mail, against a stdlib-parse baseline measured in the same run.

    python bench/spam_stage.py [CORPUS_DIR] [--repeat N]

Default corpus: spamassassin-public under $AUPGUARD_CORPORA or the nearest shared/corpora.
Views (parse, text parts, URLs, headers) are built first and not counted: they are the
foundation's stage. The spam stage is the `spam_email` and `bulk` detectors' `check` on
those views, with the bulk windows read from and written to an in-memory state, one core.
The machine is shared, so absolute numbers are noisy; the ratio to the baseline is steadier,
and CPU time (time.process_time) is printed beside wall time: on a loaded machine it is the
one to read (wall time counts the waits for a core).
"""

from __future__ import annotations

import argparse
import os
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
    walls: dict[str, list[float]] = {"baseline": [], "stage": []}
    cpus: dict[str, list[float]] = {"baseline": [], "stage": [], "ham": []}
    per_detector = {"spam_email": 0.0, "bulk": 0.0}  # CPU seconds over every pass
    wall, cpu = time.perf_counter, time.process_time
    ham = ["ham" in Path(e.source).parent.name for e in events]  # what most traffic is
    for _ in range(args.repeat):
        state = MemoryState()
        w0, c0 = wall(), cpu()
        for e in events:
            assert isinstance(e.content, EmailContent)
            parse(e.content.raw)
        walls["baseline"].append((wall() - w0) / len(events))
        cpus["baseline"].append((cpu() - c0) / len(events))
        views = [views_for(e) for e in events]
        for v in views:  # the foundation's stage, built before timing
            _ = v.text_parts, v.urls, v.headers
        total = ham_total = 0.0
        w0 = wall()
        for v, is_ham in zip(views, ham, strict=True):
            ctx = Context(state=state, now=v.event.time)
            t0 = cpu()
            spam.check(v, ctx)
            t1 = cpu()
            found = bulk.check(v, ctx)
            t2 = cpu()
            state.apply(v.event.id, [f for f in found if isinstance(f, Observation)], v.event.time)
            per_detector["spam_email"] += t1 - t0
            per_detector["bulk"] += t2 - t1
            total += t2 - t0
            ham_total += (t2 - t0) if is_ham else 0.0
        walls["stage"].append((wall() - w0) / len(views))  # includes applying the windows
        cpus["stage"].append(total / len(views))
        cpus["ham"].append(ham_total / max(1, sum(ham)))
    base, cost, cost_ham = (statistics.median(cpus[k]) for k in ("baseline", "stage", "ham"))
    n = len(events) * args.repeat
    print(
        f"{len(events)} e-mails from {root}, {args.repeat} passes, one core; "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    print(
        f"baseline, stdlib compat32 parse only: CPU {base * 1e3:.3f} ms per e-mail "
        f"(wall {statistics.median(walls['baseline']) * 1e3:.3f} ms)"
    )
    print(
        f"spam stage (spam_email + bulk checks): CPU {cost * 1e3:.3f} ms per e-mail "
        f"= {cost / base:.2f}x the baseline (wall, with window updates: "
        f"{statistics.median(walls['stage']) * 1e3:.3f} ms; budget 0.3 ms)"
    )
    print(f"  on ham only: CPU {cost_ham * 1e3:.3f} ms = {cost_ham / base:.2f}x the baseline")
    for name, secs in per_detector.items():
        print(f"  {name}: CPU {secs / n * 1e3:.3f} ms")


if __name__ == "__main__":
    main()
