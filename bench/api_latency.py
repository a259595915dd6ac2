"""Decide latency through the HTTP API under an open-loop load, with a baseline in the same run.

    .venv/bin/python bench/api_latency.py [--rate 100] [--seconds 30] [--warmup 5]
        [--baseline-seconds 10] [--workers 1] [--message FILE] [--profile FILE]

Starts `aupguard serve` on a free loopback port over a fresh SQLite database (the
embedded default) with the demo tenants and their proven domains, and a decide key bound
to one of them. An open-loop generator then sends requests at fixed times (constant
rate, whether or not earlier ones were answered) and measures each from its *scheduled*
send time, so a stall is counted for every request it delays (no coordinated omission).

Phases, one after another: a warm-up of decisions (discarded), the baseline (`GET
/healthz`: HTTP, the key-less path and one database read) and the decisions (`POST
/v1/decide/email` with the median-size easy-ham message of the SpamAssassin public
corpus, or `--message`; a unique event id and Message-ID per request, so every one is a
real decision with its commits). Prints p50/p90/p99/max, the achieved rate, errors, the
server's and the client's CPU time per request, the time spent inside the decision
component (from /metrics), the ratio to the baseline, and the load average.
`--profile FILE` samples the server with py-spy during the decision phase (collapsed
stacks, one per line, for flame graphs or `sort -k2 -n`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script

from tests.servers import free_port
from tests.web.live import aupguard_command, stop_process

from aupguard.api.security import create_key
from aupguard.demo.traffic import TENANTS
from aupguard.enforce.identities import IdentityKind
from aupguard.enforce.tenants import Proof, add_identity, create_tenant, verify_identity
from aupguard.store.db import Store
from bench.httpload import Http, tree_cpu

TENANT = TENANTS[0]
TARGET_P99_MS = 30.0


def corpora() -> Path:
    """$AUPGUARD_CORPORA, else the nearest `shared/corpora` above this checkout."""
    env = os.environ.get("AUPGUARD_CORPORA")
    if env:
        return Path(env)
    for parent in Path(__file__).resolve().parents:
        if (parent / "shared" / "corpora").is_dir():
            return parent / "shared" / "corpora"
    return Path("shared/corpora")


def median_ham(path: Path | None) -> tuple[bytes, str]:
    """The message file given, else the median-size easy ham of the SpamAssassin corpus."""
    if path is not None:
        return path.read_bytes(), f"{path} ({path.stat().st_size} bytes)"
    root = corpora() / "spamassassin-public"
    files = sorted(
        (
            p
            for d in ("easy-ham-1", "easy-ham-2")
            if (root / d).is_dir()
            for p in (root / d).iterdir()
        ),
        key=lambda p: p.stat().st_size,
    )
    if not files:
        sys.exit(
            f"corpus spamassassin-public not found under {root}: pass --message FILE "
            "(a typical 3-5 KB text e-mail) or set $AUPGUARD_CORPORA"
        )
    pick = files[len(files) // 2]
    size = pick.stat().st_size
    return (
        pick.read_bytes(),
        f"median of {len(files)} easy-ham messages: {pick.name} ({size} bytes)",
    )


def as_tenant_mail(raw: bytes) -> bytes:
    """The message as the benchmark tenant would submit it: its own From and a slot for a
    per-request Message-ID (`@@N@@`), no trace fields of the corpus's original delivery
    (Received lines there would rightly read as forged), CRLF line ends."""
    raw = raw.replace(b"\r\n", b"\n")
    head, _, body = raw.partition(b"\n\n")
    lines = re.sub(rb"\n[ \t]+", b" ", head).split(b"\n")
    own = rb"(?i)(to|cc|subject|date|reply-to|mime-version|content-[-\w]+):"
    keep = [ln for ln in lines if re.match(own, ln)]
    fresh = [
        f"From: {TENANT.name} <news@{TENANT.domain}>".encode(),
        f"Message-ID: <@@N@@.bench@{TENANT.domain}>".encode(),
        # A tenant mailing one text to many readers is a bulk sender: one-click unsubscribe
        # (RFC 8058) is what bulk-sender requirements ask of it.
        f"List-Unsubscribe: <https://{TENANT.domain}/unsubscribe/@@N@@>".encode(),
        b"List-Unsubscribe-Post: List-Unsubscribe=One-Click",
    ]
    return b"\r\n".join(fresh + keep) + b"\r\n\r\n" + body.replace(b"\n", b"\r\n")


def seed(folder: Path) -> tuple[str, str, str]:
    """A fresh database with the demo tenants; returns (db URL, decide key, admin key)."""
    db_url = f"sqlite:///{folder / 'aupguard.db'}"
    store = Store(db_url)
    with store.write() as s:
        for t in TENANTS:
            create_tenant(s, t.id, t.name, actor="bench", contact_email=f"abuse@{t.domain}")
            domain = add_identity(s, t.id, IdentityKind.DOMAIN, t.domain, actor="bench")
            domain.proof, domain.verified_at = "bench seed (no DNS for .example)", domain.created_at
            number = add_identity(s, t.id, IdentityKind.NUMBER, t.number, actor="bench")
            verify_identity(s, number.id, Proof(record="bench seed"), actor="bench")
        decide_key = create_key(s, "bench-gateway", ["decide"], TENANT.id)
        admin_key = create_key(s, "bench-ops", ["admin"])
    store.dispose()
    return db_url, decide_key, admin_key


def start_server(folder: Path, db_url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "AUPGUARD_HOME": str(folder / "home")}
    cmd = [*aupguard_command(), "serve", "--port", str(port), "--db", db_url]
    cmd += ["--workers", str(workers)]
    log = (folder / "serve.log").open("wb")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        if proc.poll() is not None:
            sys.exit("aupguard serve exited:\n" + (folder / "serve.log").read_text("utf-8"))
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return proc
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            sys.exit(f"aupguard serve did not answer on {base}")
        time.sleep(0.3)


@dataclass
class Result:
    name: str
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    server_cpu: float = 0.0
    client_cpu: float = 0.0

    def pct(self, q: float) -> float:
        xs = sorted(self.latencies)
        return xs[min(len(xs) - 1, int(q * len(xs)))] * 1000 if xs else float("nan")

    def line(self) -> str:
        n = len(self.latencies) + sum(self.errors.values())
        return (
            f"{self.name:<22} {n:>6} {sum(self.errors.values()):>5} "
            f"{n / self.seconds:>7.1f} {self.pct(0.5):>7.2f} {self.pct(0.9):>7.2f} "
            f"{self.pct(0.99):>7.2f} {max(self.latencies, default=0) * 1000:>8.2f} "
            f"{self.server_cpu / max(n, 1) * 1000:>8.2f} {self.client_cpu / max(n, 1) * 1000:>8.2f}"
        )


HEADER = (
    f"{'target':<22} {'sent':>6} {'err':>5} {'req/s':>7} {'p50 ms':>7} {'p90 ms':>7} "
    f"{'p99 ms':>7} {'max ms':>8} {'srv CPU':>8} {'cli CPU':>8}   (CPU: ms per request)"
)


async def open_loop(
    name: str, send: Callable[[int], Awaitable[None]], rate: float, seconds: float, server: int
) -> Result:
    """Send request i at start + i/rate, each in its own task; latency from that time
    (perf_counter: uvloop's loop clock has millisecond steps)."""
    clock = time.perf_counter
    result = Result(name)
    tasks: set[asyncio.Task[None]] = set()

    async def one(i: int, at: float) -> None:
        try:
            await send(i)
        except Exception as exc:  # counted, and the loop goes on
            result.errors[
                type(exc).__name__ + (f" {exc}" if isinstance(exc, AssertionError) else "")
            ] += 1
            return
        result.latencies.append(clock() - at)

    cpu0, own0 = tree_cpu(server), time.process_time()
    start = clock() + 0.05
    for i in range(int(rate * seconds)):
        at = start + i / rate
        delay = at - clock()
        if delay > 0:
            await asyncio.sleep(delay)
        task = asyncio.create_task(one(i, at))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    while tasks:
        await asyncio.gather(*tasks)
    result.seconds = clock() - start
    result.server_cpu = tree_cpu(server) - cpu0
    result.client_cpu = time.process_time() - own0
    return result


def decide_seconds(client: httpx.Client) -> tuple[float, float]:
    """(sum, count) of aupguard_decide_seconds for e-mail, from /metrics."""
    text = client.get("/metrics").text
    found = dict(
        re.findall(r'aupguard_decide_seconds_(sum|count)\{channel="email"\} ([0-9.e+-]+)', text)
    )
    return float(found.get("sum", 0)), float(found.get("count", 0))


async def run(args: argparse.Namespace, base: str, keys: tuple[str, str], server: int) -> None:
    raw, about = median_ham(args.message)
    template = as_tenant_mail(raw)
    print(f"message: {about}")
    run_id = uuid.uuid4().hex[:8]
    auth = f"Bearer {keys[0]}"
    actions: Counter[str] = Counter()
    client = Http("127.0.0.1", int(base.rsplit(":", 1)[1]))

    async def decide(i: int) -> None:
        query = urlencode(
            {
                "id": f"bench-{run_id}-{i}",
                "mail_from": f"news@{TENANT.domain}",
                "rcpt_to": f"reader{i % 500}@example.org",
            }
        )
        body = template.replace(b"@@N@@", f"{run_id}-{i}".encode())
        status, answer = await client.request(
            "POST", f"/v1/decide/email?{query}", body, auth, "message/rfc822"
        )
        assert status == 200, f"HTTP {status}"
        actions[json.loads(answer)["action"]] += 1

    async def health(i: int) -> None:
        status, _ = await client.request("GET", "/healthz")
        assert status == 200, f"HTTP {status}"

    offset = 10_000_000
    if args.warmup:
        await open_loop("warm-up", lambda i: decide(offset + i), args.rate, args.warmup, server)
        actions.clear()
    baseline = await open_loop("GET /healthz", health, args.rate, args.baseline_seconds, server)
    admin = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {keys[1]}"})
    before = decide_seconds(admin)
    profiler = profile(args.profile, server, args.seconds) if args.profile else None
    decided = await open_loop("POST /v1/decide/email", decide, args.rate, args.seconds, server)
    after = decide_seconds(admin)
    if profiler is not None:
        profiler.wait()
    client.close()
    print(HEADER)
    print(baseline.line())
    print(decided.line())
    for r in (baseline, decided):
        for error, n in r.errors.items():
            print(f"  {r.name}: {n} x {error}")
    inside = (after[0] - before[0]) / max(after[1] - before[1], 1) * 1000
    print(f"decision component (aupguard_decide_seconds, mean): {inside:.2f} ms")
    print("actions: " + ", ".join(f"{n} {a}" for a, n in sorted(actions.items())))
    ratio50 = decided.pct(0.5) / baseline.pct(0.5)
    ratio99 = decided.pct(0.99) / baseline.pct(0.99)
    print(f"ratio decide / baseline: p50 {ratio50:.1f}x, p99 {ratio99:.1f}x")
    p99 = decided.pct(0.99)
    ok = p99 < TARGET_P99_MS and not decided.errors
    print(
        f"target p99 < {TARGET_P99_MS:.0f} ms at {args.rate:g} req/s: {'met' if ok else 'NOT met'}"
    )


def profile(out: Path, pid: int, seconds: float) -> subprocess.Popen[bytes]:
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    cmd = [spy, "record", "--pid", str(pid), "--format", "raw", "--output", str(out)]
    cmd += [
        "--duration",
        str(int(seconds)),
        "--rate",
        "200",
        "--subprocesses",
        "--nonblocking",
        "--gil",
    ]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL)


def loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop when installed: a lighter client leaves more of the machine to the server."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rate", type=float, default=100.0, help="requests per second")
    parser.add_argument("--seconds", type=float, default=30.0, help="length of the decide phase")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds of discarded decisions")
    parser.add_argument("--baseline-seconds", type=float, default=10.0, help="GET /healthz phase")
    parser.add_argument("--workers", type=int, default=1, help="aupguard serve --workers")
    parser.add_argument("--message", type=Path, help="message file (default: median easy ham)")
    parser.add_argument("--profile", type=Path, help="py-spy collapsed stacks of the server")
    args = parser.parse_args()
    median_ham(args.message)  # fail early without a message
    load = os.getloadavg()
    print(
        f"load average at start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} ({os.cpu_count()} cores)"
    )
    with tempfile.TemporaryDirectory(prefix="aupguard-bench-") as tmp:
        folder = Path(tmp)
        db_url, decide_key, admin_key = seed(folder)
        port = free_port()
        proc = start_server(folder, db_url, port, args.workers)
        try:
            with asyncio.Runner(loop_factory=loop_factory()) as runner:
                runner.run(run(args, f"http://127.0.0.1:{port}", (decide_key, admin_key), proc.pid))
        finally:
            stop_process(proc)
    load = os.getloadavg()
    print(f"load average at end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
