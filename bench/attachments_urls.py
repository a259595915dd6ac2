"""What the malware and phishing detectors cost per average e-mail (no clamd), against a baseline.

    python bench/attachments_urls.py ../shared/corpora/spamassassin-public --repeat 3

Both engines run in this process on the same events, alternating passes, so machine load
hits both alike: the baseline has the foundation detectors (eicar, gtube, limits,
language); the full engine adds attachments, office, pdf, html_files, yara, urls, lures,
phishing_model and sender_brand (clamav is off: no socket). Numbers on a shared machine
are noisy; read the ratio and the added milliseconds, not the absolute rates.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from aupguard.aup.load import load_document
from aupguard.detectors import builtin
from aupguard.detectors.registry import Registry
from aupguard.engine import Engine
from aupguard.events.model import Event
from aupguard.events.sources import expand_paths, read_file
from aupguard.rules.load import load_ruleset
from aupguard.runtime import tune_gc

BASELINE = {"eicar", "gtube", "limits", "language"}
ADDED = (
    "attachments",
    "office",
    "pdf",
    "html_files",
    "yara",
    "urls",
    "lures",
    "phishing_model",
    "sender_brand",
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="+", type=Path)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    tune_gc()
    events = [
        e
        for p in expand_paths(args.paths)
        if isinstance(p, Path)
        for e in read_file(p)
        if isinstance(e, Event)
    ]
    document = load_document(None)
    ruleset = load_ruleset(None, document)
    classes = builtin.aupguard_detectors()
    base = Engine(ruleset, document, Registry(c for c in classes if c.name in BASELINE))
    full = Engine(
        ruleset, document, Registry(c for c in classes if c.name in BASELINE | set(ADDED))
    )
    from aupguard.events.sources import email_event

    warm = email_event(b"From: a@b.example\nSubject: hi\n\nsee https://x.example/ now\n", "warm")
    full.evaluate(warm, dry_run=True)  # lazy loads (model, rules, confusables), no corpus URL
    base_s: list[float] = []
    full_s: list[float] = []
    per: dict[str, float] = {}
    for _ in range(args.repeat):
        for engine, out, timings in ((base, base_s, None), (full, full_s, per)):
            started = time.perf_counter()
            for e in events:
                engine.evaluate(e, dry_run=True, timings=timings)
            out.append(time.perf_counter() - started)
    n = len(events)
    print(f"{n} events, {args.repeat} passes each, one core")
    # Pass 1 meets every URL and host for the first time (per-URL caches cold); later
    # passes show a campaign's repeated links. Both are printed.
    for label, b, f in (
        ("first pass", base_s[0] / n, full_s[0] / n),
        ("median pass", statistics.median(base_s) / n, statistics.median(full_s) / n),
    ):
        print(
            f"{label}: baseline {b * 1e3:.3f} ms/event, full {f * 1e3:.3f} ms/event, "
            f"ratio {f / b:.2f}x, added {(f - b) * 1e3:.3f} ms per event"
        )
    for name in ADDED:
        print(f"  {name:15s} {per.get(name, 0.0) / (n * args.repeat) * 1e3:.3f} ms/event")


if __name__ == "__main__":
    main()
