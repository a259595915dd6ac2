"""CPU per decision on the milter's path, in process: the engine, and the database work beside it.

    python -m bench.decide_cost [--n 500] [--db sqlite|postgresql] [--profile]

The gateway's event for the median-size SpamAssassin ham (bench.milter picks the same),
mapped to a tenant with a verified domain, decided by an in-process Decider with the
shipped ruleset and detectors, every event under a fresh id (as every SMTP transaction is).
Prints CPU (time.process_time) and wall time per decision, and the share of CPU spent in
`Decider._record` (the per-event database work). `--profile` prints the top functions by
cumulative time under cProfile. Run twice with the same arguments to compare two commits.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import tempfile
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

from tests.gateways.helpers import add_tenant
from tests.servers import postgres_schema

from aupguard.decide import Decider
from aupguard.gateways.mail import mail_event
from aupguard.gateways.tenantmap import TenantMap
from aupguard.settings import Settings
from aupguard.store.db import Store
from bench.milter import as_tenant_mail, median_ham


def timed(fn: Callable[..., Any], spent: list[float]) -> Callable[..., Any]:
    """`fn`, adding the CPU time of each call to `spent`."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            spent.append(time.process_time() - started)

    return wrapper


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500, help="decisions measured")
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--profile", action="store_true", help="cProfile the measured loop")
    args = parser.parse_args()
    raw, what = median_ham()
    tmp = Path(tempfile.mkdtemp(prefix="aupguard-bench-"))
    where: AbstractContextManager[str] = (
        nullcontext(f"sqlite:///{tmp / 'aupguard.db'}")
        if args.db == "sqlite"
        else postgres_schema()
    )
    with where as url:
        store = Store(url)
        add_tenant(store, "acme", "acme.example")
        decider = Decider(store, settings=Settings(home=tmp / "home"))
        tenants = TenantMap(store)
        record_cpu: list[float] = []
        decider._record = timed(decider._record, record_cpu)  # type: ignore[method-assign]

        def one(i: int) -> None:
            event, mapping = mail_event(
                as_tenant_mail(raw, i),
                gateway="bench",
                transaction=f"Q{i:08d}",
                mail_from="news@acme.example",
                rcpt_to=("reader@example.org",),
                client_ip="127.0.0.1",
                tenants=tenants,
            )
            assert mapping.tenant == "acme"
            decision = decider.decide(event)
            assert decision.action in ("allow", "flag"), (decision.reason, decision.verdict)

        for i in range(50):  # warm-up: imports, caches, first database pages
            one(-i - 1)
        record_cpu.clear()
        cpu: list[float] = []
        wall: list[float] = []
        profiler = cProfile.Profile() if args.profile else None
        if profiler:
            profiler.enable()
        for i in range(args.n):
            c, w = time.process_time(), time.perf_counter()
            one(i)
            cpu.append(time.process_time() - c)
            wall.append(time.perf_counter() - w)
        if profiler:
            profiler.disable()
        store.dispose()
    print(f"message: {what} ({len(raw)} bytes); {args.n} decisions on {args.db}")
    print(
        f"per decision: CPU median {statistics.median(cpu) * 1000:.2f} ms "
        f"(mean {statistics.fmean(cpu) * 1000:.2f}), wall median "
        f"{statistics.median(wall) * 1000:.2f} ms"
    )
    rec = statistics.median(record_cpu)
    print(
        f"  recording (Decider._record): CPU median {rec * 1000:.2f} ms, "
        f"{sum(record_cpu) / sum(cpu):.0%} of all CPU"
    )
    print(f"load average {os.getloadavg()[0]:.1f}")
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


if __name__ == "__main__":
    main()
