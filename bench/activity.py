"""Activity throughput on one core: flows and log lines through the batch API, with baselines.

    python bench/activity.py                # flows (memory, Redis if reachable), log lines
    python bench/activity.py --flows 100000 --lines 50000 --redis redis://127.0.0.1:6379/15

Rates are records per CPU second of this process (time.process_time), which tracks one
core's work even when other processes share it; wall-clock rates are shown alongside.
Every number is printed with its ratio to baselines measured in the same run, because the
machine is shared and absolute rates move with the load:

- `floor`: one window read and one count applied per record on the memory state (the
  least any stateful per-record check costs in Python: the machine's speed right now);
- `one-by-one`: Engine.evaluate then apply per event (the naive caller).

The Redis rows run the real backend (`open_state(url)`, a fresh key prefix per run,
deleted afterwards) through the same batch API: one round trip to fetch what each chunk
of 1,000 records reads, one pipeline to apply its observations. The server's CPU is read
from INFO cpu before and after (it includes any other client of that server).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import uuid
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
from aupguard.state.backends import open_state
from aupguard.state.base import StateStore
from aupguard.state.memory import MemoryState
from aupguard.state.redis import RedisState

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


def one_by_one(engine: Engine, events: Sequence[Event], state: StateStore | None = None) -> None:
    state = state if state is not None else MemoryState()
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
        bench_redis(engine, events, repeat, redis_url, base)


def fresh_redis(url: str) -> RedisState:
    state = open_state(url, prefix=f"bench:{uuid.uuid4().hex[:12]}:")
    assert isinstance(state, RedisState)
    return state


def drop(state: RedisState) -> None:
    keys = list(state.client.scan_iter(match=state.prefix + "*", count=1000))
    for i in range(0, len(keys), 1000):
        state.client.delete(*keys[i : i + 1000])


def server_cpu(state: RedisState) -> float:
    info: dict[str, float] = state.client.info("cpu")  # type: ignore[assignment]
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


def bench_redis(
    engine: Engine, events: Sequence[Event], repeat: int, url: str, base: float
) -> None:
    """The real RedisState through the batch API; verdicts checked against memory."""
    count = len(events)
    try:
        fresh_redis(url).client.ping()
    except (OSError, redis.RedisError) as exc:
        print(f"  redis: not reachable ({exc}); skipped")
        return
    best_cpu = best_wall = best_server = float("inf")
    verdicts = []
    for _ in range(repeat):
        state = fresh_redis(url)
        try:
            server, cpu, wall = server_cpu(state), time.process_time(), time.perf_counter()
            verdicts = evaluate_batch(engine, events, state)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            server = server_cpu(state) - server
        finally:
            drop(state)
        if cpu < best_cpu:
            best_cpu, best_wall, best_server = cpu, wall, server
    rate = count / best_cpu
    print(
        f"  {'batch API, real RedisState (fetch + pipeline)':44} {rate:>10,.0f} /s per CPU s  "
        f"({count / best_wall:>9,.0f} /s wall)"
    )
    print(
        f"    = {rate / base:.3f} x floor; Redis server CPU in that run "
        f"{best_server:.2f} s ({count / max(best_server, 1e-9):,.0f} records per server CPU s)"
    )
    memory = evaluate_batch(engine, events, MemoryState())
    differ = sum(
        (a.action, [s.name for s in a.signals]) != (b.action, [s.name for s in b.signals])
        for a, b in zip(memory, verdicts, strict=True)
    )
    print(f"    verdicts differing from the memory backend's: {differ} of {count}")
    sample = events[: max(1, count // 10)]
    state = fresh_redis(url)
    try:
        naive = timed(
            f"one-by-one on RedisState ({len(sample)} records)",
            lambda: one_by_one(engine, sample, state),
            len(sample),
            1,
        )
    finally:
        drop(state)
    print(f"    batch on Redis = {rate / naive:.1f} x one-by-one on Redis")


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
