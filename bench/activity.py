"""Activity throughput on one core: flows and log lines through the batch API, with baselines.

    python bench/activity.py                # flows (memory), log lines, Redis if reachable
    python bench/activity.py --flows 100000 --lines 50000 --redis redis://127.0.0.1:6379/15

Rates are records per CPU second of this process (time.process_time), which tracks one
core's work even when other processes share it; wall-clock rates are shown alongside.
Every number is printed with its ratio to baselines measured in the same run, because the
machine is shared and absolute rates move with the load:

- `floor`: one window read and one count applied per record on the memory state (the
  least any stateful per-record check costs in Python: the machine's speed right now);
- `one-by-one`: Engine.evaluate then MemoryState.apply per event (the naive caller).

The Redis figure is a minimal pipelined redis-py loop issuing the same state operations
the detectors issued in the memory run (recorded), one pipeline of reads and one of writes
per batch: it measures what the store costs at that operation mix, not a Redis backend.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aupguard.aup.load import load_document
from aupguard.batch import evaluate_batch
from aupguard.detectors.context import Context
from aupguard.engine import Engine
from aupguard.events.accesslog import parse_access_line
from aupguard.events.model import Channel, Event, Flow
from aupguard.rules.load import load_ruleset
from aupguard.runtime import tune_gc
from aupguard.signals import Observation
from aupguard.state.memory import MemoryState
from bench.redis_ops import RecordingState, replay_on_redis

T0 = datetime(2026, 11, 2, tzinfo=UTC)


def flows(count: int, seed: int = 1, scanner_share: float = 0.05) -> list[Event]:
    """60 benign workloads, each calling its own dozen services again and again (2 % time
    out, now and then a new one), and `scanner_share` of the records from a scanner."""
    rng = random.Random(seed)
    services = {
        f"10.0.0.{w}": [
            (f"203.0.113.{rng.randrange(1, 250)}", rng.choice([443, 5432, 8443])) for _ in range(12)
        ]
        for w in range(1, 61)
    }
    out: list[Event] = []
    at = T0
    for n in range(count):
        at += timedelta(milliseconds=rng.expovariate(1 / 20))
        if rng.random() < scanner_share:  # scanner traffic: new targets, failing
            src, dst, port, state = "198.51.100.66", f"10.9.{n % 250}.{n % 7}", n % 1024, "S0"
        else:
            src = f"10.0.0.{rng.randrange(1, 61)}"
            if rng.random() < 0.002:
                services[src].append((f"192.0.2.{rng.randrange(1, 250)}", 443))
            dst, port = rng.choice(services[src])
            state = "S0" if rng.random() < 0.02 else "SF"
        data = 0 if state == "S0" else rng.randrange(100, 9000)
        content = Flow(src, dst, 40000 + n % 20000, port, "tcp", "", data, data, 6, state)
        out.append(Event(f"f{n}", Channel.FLOW, content, at, tenant="acme", workload=src[-2:]))
    return out


def timed(label: str, work: Callable[[], object], n: int, repeat: int) -> float:
    """Records per CPU second of this process (best of `repeat`), and per wall second."""
    best_cpu = best_wall = float("inf")
    for _ in range(repeat):
        cpu, wall = time.process_time(), time.perf_counter()
        work()
        best_cpu = min(best_cpu, time.process_time() - cpu)
        best_wall = min(best_wall, time.perf_counter() - wall)
    rate = n / best_cpu
    print(f"  {label:44} {rate:>10,.0f} /s per CPU s  ({n / best_wall:>9,.0f} /s wall)")
    return rate


def floor(events: Sequence[Event]) -> None:
    """The least a stateful per-record check costs: one window read, one count applied."""
    state = MemoryState()
    for e in events:
        key = f"k:{e.tenant}/{e.workload}"
        state.count(key, 60, e.time)
        state.apply(e.id, (Observation("count", key, ttl_s=60),), e.time)


def one_by_one(engine: Engine, events: Sequence[Event]) -> None:
    state = MemoryState()
    for e in events:
        ev = engine.evaluate(e, Context(state=state, now=e.time))
        state.apply(e.id, ev.observations, e.time)


def bench_flows(engine: Engine, count: int, repeat: int, redis_url: str | None) -> None:
    events = flows(count)
    print(f"flows: {count} records (5 % from a scanner unless said), best of {repeat}")
    base = timed(
        "floor (one window read + one count applied)", lambda: floor(events), count, repeat
    )
    naive = timed("one-by-one evaluate + apply", lambda: one_by_one(engine, events), count, repeat)
    rate = timed(
        "batch API, memory state",
        lambda: evaluate_batch(engine, events, MemoryState()),
        count,
        repeat,
    )
    print(f"  batch = {rate / base:.3f} x floor, {rate / naive:.2f} x one-by-one")
    for share in (0.0, 0.01):
        mix = flows(count, scanner_share=share)
        label = f"batch API, memory, {share:.0%} scanner records"
        other = timed(
            label, lambda mix=mix: evaluate_batch(engine, mix, MemoryState()), count, repeat
        )
        print(f"    = {other / base:.3f} x floor")
    if redis_url:
        recorder = RecordingState()
        evaluate_batch(engine, events, recorder)
        try:
            wall, cpu = replay_on_redis(recorder.ops, redis_url, batch=1000)
        except (OSError, redis.RedisError) as exc:
            print(f"  redis: not reachable ({exc}); skipped")
            return
        combined = 1 / (1 / rate + cpu / count)
        print(
            f"  redis: {len(recorder.ops) / count:.1f} state operations per record, pipelined "
            f"per 1000 records: client {count / cpu:,.0f} records per CPU s, "
            f"{count / wall:,.0f} /s wall (server included)"
        )
        print(
            f"  batch API + pipelined Redis client on one core: {combined:,.0f} /s per CPU s "
            f"= {combined / base:.3f} x floor"
        )


def bench_lines(engine: Engine, count: int, repeat: int) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
    from gen_benign_access_log import generate

    lines = generate(count, seed=1)
    print(f"log lines: {count} generated benign lines, best of {repeat}")
    base = timed("floor (split each line)", lambda: [ln.split(" ") for ln in lines], count, repeat)

    def parse_and_judge() -> None:
        events = []
        for n, line in enumerate(lines):
            req, when = parse_access_line(line)
            events.append(Event(f"l{n}", Channel.HTTP, req, when))
        evaluate_batch(engine, events, MemoryState())

    rate = timed("parse + batch API, memory state", parse_and_judge, count, repeat)
    print(f"  lines = {rate / base:.3f} x floor")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flows", type=int, default=50_000)
    parser.add_argument("--lines", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/15")
    parser.add_argument("--no-redis", action="store_true")
    args = parser.parse_args()
    document = load_document()
    engine = Engine(load_ruleset(document=document), document)
    tune_gc()
    print("one core of a shared machine: absolute rates are noisy; compare the ratios")
    bench_flows(engine, args.flows, args.repeat, None if args.no_redis else args.redis)
    bench_lines(engine, args.lines, args.repeat)


if __name__ == "__main__":
    main()
