"""Stream workers: 1 vs 2 processes on a pre-filled stream, events/s and CPU-seconds per event.

For each worker count: a fresh PostgreSQL schema and a private redis-server, the same
events pre-filled into the stream behind a consumer group positioned at its end, then
`aupguard worker --processes N` started; once every worker has registered, the group is
moved to the start (XGROUP SETID 0) and the clock runs until the stream is drained.
Before the clock starts, each worker decides two batches of warm-up copies (other ids).
CPU is read from /proc for the worker processes (and, for information, the PostgreSQL
and Redis servers). `--profile` instead decides a slice in this process under cProfile.

    .venv/bin/python bench/workers.py --events 20000 --kind sms
    .venv/bin/python bench/workers.py --events 5000 --kind email
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import redis
from tests.servers import private_redis

from aupguard.events.model import Channel, EmailContent, Event, Flow, MessageContent
from aupguard.stream.producer import GROUP, STREAM, publish

T0 = datetime(2026, 11, 10, tzinfo=UTC)
PG_ADMIN = "host=127.0.0.1 port=5432 dbname=test user=postgres"
TICK = os.sysconf("SC_CLK_TCK")
TENANTS = 5


def sms_and_flows(n: int) -> Iterator[Event]:
    """Half SMS reminders, half network flows, over five tenants that own their numbers;
    one SMS in a hundred comes from a number its tenant does not own (a violation)."""
    rng = random.Random(7)
    for i in range(n):
        tenant, when = f"t{i % TENANTS}", T0 + timedelta(seconds=i)
        if i % 2:
            text = f"Reminder {i}: your appointment is at {rng.randint(8, 18)}:00"
            sender = f"+1555010000{i % TENANTS}" if i % 200 != 1 else "+15550177777"
            content = MessageContent(text, sender_id=sender)
            yield Event(f"ev-{i}", Channel.SMS, content, when, tenant)
        else:
            flow = Flow(f"198.51.100.{i % 200}", "203.0.113.5", 40000 + i % 1000, 443, "tcp", "SA")
            yield Event(f"ev-{i}", Channel.FLOW, flow, when, tenant, workload="crm")


def emails(n: int) -> Iterator[Event]:
    """Plain newsletters and receipts from the tenants' domains (no network look-ups)."""
    rng = random.Random(7)
    for i in range(n):
        tenant, when = f"t{i % TENANTS}", T0 + timedelta(seconds=i)
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(40, 200)))
        raw = (
            f"From: News <news@t{i % TENANTS}.example>\r\nTo: user{i}@example.net\r\n"
            f"Subject: Your order {i} has shipped\r\nMessage-ID: <{i}@t{i % TENANTS}.example>\r\n"
            f"Date: {when:%a, %d %b %Y %H:%M:%S +0000}\r\nMIME-Version: 1.0\r\n"
            f"Content-Type: text/plain; charset=utf-8\r\n\r\n{words}\r\n"
            f"See https://t{i % TENANTS}.example/orders/{i} for details.\r\n"
        ).encode()
        content = EmailContent(raw, f"news@t{i % TENANTS}.example", (f"user{i}@example.net",))
        yield Event(f"em-{i}", Channel.EMAIL, content, when, tenant)


WORDS = [
    "order",
    "shipped",
    "parcel",
    "delivery",
    "tracking",
    "receipt",
    "thanks",
    "customer",
    "account",
    "update",
    "newsletter",
    "week",
    "offers",
    "store",
    "hours",
    "contact",
    "support",
    "invoice",
    "total",
    "items",
    "return",
]


@contextmanager
def fresh_schema() -> Iterator[str]:
    import psycopg

    schema = "bench_" + uuid.uuid4().hex[:10]
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/test?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def cpu_s(pid: int) -> float:
    """utime + stime of one process, in seconds (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def children(pid: int) -> list[int]:
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            kids = (task / "children").read_text().split()
        except OSError:
            continue
        for kid in map(int, kids):
            out.append(kid)
            out.extend(children(kid))
    return out


def is_worker(pid: int) -> bool:
    try:
        return b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def postgres_pids() -> list[int]:
    out = []
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                if (p / "comm").read_text().strip() == "postgres":
                    out.append(int(p.name))
            except OSError:
                continue
    return out


@dataclass(frozen=True, slots=True)
class Run:
    workers: int
    events: int
    wall_s: float
    worker_cpu_s: float
    postgres_cpu_s: float
    redis_cpu_s: float

    @property
    def rate(self) -> float:
        return self.events / self.wall_s

    @property
    def cpu_ms_per_event(self) -> float:
        return 1000 * self.worker_cpu_s / self.events


def prepare(db_url: str, redis_url: str, events: list[Event]) -> None:
    """Tenants in the database; the events in the stream behind a group at its end."""
    from aupguard.enforce.tenants import import_tenants
    from aupguard.store.db import Store

    store = Store(db_url)
    tenants = [
        {
            "id": f"t{t}",
            "name": f"T{t}",
            "identities": [
                {"kind": "number", "value": f"+1555010000{t}", "verified": True},
                {"kind": "domain", "value": f"t{t}.example", "verified": True},
            ],
        }
        for t in range(TENANTS)
    ]
    with store.write() as s:
        import_tenants(s, tenants, actor="bench")
    store.dispose()
    if events:
        client = redis.Redis.from_url(redis_url)
        client.delete(STREAM)
        publish(client, events, max_backlog=10**9)
        client.xgroup_create(STREAM, GROUP, id="$")


def run(workers: int, events: list[Event], batch: int, state: str) -> Run:
    with fresh_schema() as db_url, private_redis() as (redis_url, redis_pid):
        prepare(db_url, redis_url, events)
        client = redis.Redis.from_url(redis_url)
        home = tempfile.mkdtemp(prefix="aupguard-bench-")
        cmd = [sys.executable, "-m", "aupguard.cli.main", "worker", "--processes", str(workers)]
        cmd += ["--redis", redis_url, "--db", db_url, "--batch", str(batch)]
        cmd += ["--event-timeout", "300", "--state", state]
        env = {**os.environ, "AUPGUARD_HOME": home}
        sup = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL)
        try:
            while _workers_up(client) < workers:  # all started (Decider built, connected)
                if sup.poll() is not None:
                    raise SystemExit("aupguard worker exited early")
                time.sleep(0.2)
            # Warm-up outside the clock: lazy model and lexicon loads, cold caches, pools.
            warm = [replace(e, id=f"warm-{e.id}") for e in events[: 64 * workers * 2]]
            publish(client, warm, max_backlog=10**9)
            while client.xlen(STREAM) > len(events):
                time.sleep(0.1)
            pids = [p for p in children(sup.pid) if is_worker(p)]
            pg = postgres_pids()
            before = [sum(cpu_s(p) for p in pids), sum(map(cpu_s, pg)), cpu_s(redis_pid)]
            start = time.perf_counter()
            client.xgroup_setid(STREAM, GROUP, "0")
            while client.xlen(STREAM) > 0:  # workers delete what they acknowledged
                time.sleep(0.05)
            wall = time.perf_counter() - start
            after = [sum(cpu_s(p) for p in pids), sum(map(cpu_s, pg)), cpu_s(redis_pid)]
        finally:
            sup.send_signal(signal.SIGTERM)
            sup.wait(60)
            shutil.rmtree(home, ignore_errors=True)
        decided = _decided(db_url) - min(len(events), 64 * workers * 2)
        if decided != len({e.id for e in events}):
            raise SystemExit(f"{decided} events decided of {len(events)}")
        return Run(workers, len(events), wall, *(a - b for a, b in zip(after, before, strict=True)))


def _workers_up(client: redis.Redis) -> int:
    clients: list[dict[str, str]] = client.client_list()  # type: ignore[assignment]
    return sum(1 for c in clients if c.get("name", "").startswith("aupguard-worker-"))


def _decided(db_url: str) -> int:
    from sqlalchemy import func, select

    from aupguard.store.db import Store
    from aupguard.store.models import AppliedEvent

    store = Store(db_url, migrate=False)
    with store.read() as s:
        n = int(s.execute(select(func.count()).select_from(AppliedEvent)).scalar_one())
    store.dispose()
    return n


def profile(events: list[Event], batch: int) -> None:
    """Decide the events through one in-process worker under cProfile; print the top."""
    from aupguard.decide import Decider
    from aupguard.settings import Settings
    from aupguard.store.db import Store
    from aupguard.stream.worker import StreamWorker, WorkerConfig

    with fresh_schema() as db_url, private_redis() as (redis_url, _):
        prepare(db_url, redis_url, events)
        client = redis.Redis.from_url(redis_url)
        client.xgroup_setid(STREAM, GROUP, "0")
        home = Path(tempfile.mkdtemp(prefix="aupguard-bench-"))
        decider = Decider(Store(db_url), settings=Settings(home=home, db_url=db_url))
        worker = StreamWorker(client, decider, WorkerConfig(batch=batch, consumer="profile"))
        prof = cProfile.Profile(time.process_time)  # CPU, not wall: the machine is shared
        start, cpu = time.perf_counter(), time.process_time()
        prof.enable()
        while client.xlen(STREAM) > 0:
            worker.step()
        prof.disable()
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        print(f"{len(events)} events: {len(events) / wall:.0f}/s wall, {cpu:.2f} CPU-s in-process")
        pstats.Stats(prof).sort_stats("cumulative").print_stats(45)
        decider.store.dispose()
        shutil.rmtree(home, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--events", type=int, default=20_000)
    ap.add_argument("--kind", choices=("sms", "email"), default="sms")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--state", default="memory://", help="state backend of the workers")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--profile", action="store_true", help="one in-process worker, cProfile")
    args = ap.parse_args()
    make = sms_and_flows if args.kind == "sms" else emails
    events = list(make(args.events))
    if args.profile:
        profile(events, args.batch)
        return
    print(f"{len(events)} {args.kind} events, batch {args.batch}, state {args.state}")
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    runs = []
    for n in args.workers:
        r = run(n, events, args.batch, args.state)
        runs.append(r)
        print(
            f"{n} worker(s): {r.rate:7.1f} events/s wall ({r.wall_s:.1f} s), "
            f"workers {r.cpu_ms_per_event:.2f} CPU-ms/event, "
            f"postgres {1000 * r.postgres_cpu_s / r.events:.2f}, "
            f"redis {1000 * r.redis_cpu_s / r.events:.2f} CPU-ms/event"
        )
    base = runs[0]
    for r in runs[1:]:
        print(
            f"{r.workers} vs {base.workers}: events/s x{r.rate / base.rate:.2f} (target >= 1.4), "
            f"worker CPU-s/event {100 * (r.cpu_ms_per_event / base.cpu_ms_per_event - 1):+.1f} % "
            "(target <= +15 %)"
        )
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
