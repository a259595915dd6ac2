"""What the milter adds to an SMTP transaction: Postfix with and without it, in the same run.

    python -m bench.milter [--n 300] [--message FILE]

Starts a private Postfix (Debian's package, loopback only) with two listeners, one with
`aupguard milter` (in-process decider, SQLite, shipped ruleset and detectors) and one
without, and a local sink as relayhost. Transactions (MAIL, RCPT, DATA on a kept-open
session) alternate between the two so load from elsewhere on the machine hits both alike.
The message is the median-size ham of the SpamAssassin public corpus when it is there.
Needs root (Postfix's master runs as root). Numbers on a shared machine are noisy.
"""

from __future__ import annotations

import argparse
import os
import re
import smtplib
import statistics
import tempfile
import time
from pathlib import Path

from tests.conftest import CORPORA
from tests.gateways.helpers import Sink, add_tenant
from tests.gateways.postfix import PostfixInstance, postfix_missing
from tests.gateways.procs import start_milter

from aupguard.store.db import Store


def median_ham() -> tuple[bytes, str]:
    folders = [CORPORA / "spamassassin-public" / d for d in ("easy-ham-1", "easy-ham-2")]
    files = sorted(
        (p for d in folders if d.is_dir() for p in d.iterdir()), key=lambda p: p.stat().st_size
    )
    if not files:
        body = ("Our opening hours change next week. " * 100).encode()
        return b"Subject: Opening hours\r\n\r\n" + body, "synthetic 3.6 KB text message"
    pick = files[len(files) // 2]
    return pick.read_bytes(), f"median of {len(files)} SpamAssassin easy-ham messages: {pick.name}"


def as_tenant_mail(raw: bytes, n: int) -> bytes:
    """The message with From and Message-ID of the benchmark tenant, without trace fields,
    CRLF line ends."""
    raw = raw.replace(b"\r\n", b"\n")
    head, _, body = raw.partition(b"\n\n")
    lines = re.sub(rb"\n[ \t]+", b" ", head).split(b"\n")
    # Trace fields of its trip through the corpus owner's servers go too: a tenant submits
    # without them (the origin detector rightly flags Received fields a sender injected).
    trace = rb"(?i)(from|message-id|return-path|received|delivered-to|x-spam-[a-z-]+)[ :]"
    keep = [ln for ln in lines if not re.match(trace, ln)]
    # A sender of hundreds a minute is a bulk sender: it offers one-click unsubscribe.
    fresh = [
        b"From: News <news@acme.example>",
        f"Message-ID: <{n}.bench@acme.example>".encode(),
        f"List-Unsubscribe: <https://acme.example/unsubscribe/{n}>".encode(),
        b"List-Unsubscribe-Post: List-Unsubscribe=One-Click",
    ]
    return b"\r\n".join(fresh + keep) + b"\r\n\r\n" + body.replace(b"\n", b"\r\n")


def transaction(client: smtplib.SMTP, raw: bytes) -> float:
    started = time.perf_counter()
    client.mail("news@acme.example")
    client.rcpt("reader@example.org")
    code, resp = client.data(raw)
    elapsed = time.perf_counter() - started
    if code != 250:
        raise RuntimeError(f"transaction refused: {code} {resp!r}")
    return elapsed


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def summary(name: str, xs: list[float]) -> str:
    q = statistics.quantiles(xs, n=10)
    return f"{name:>15}: median {statistics.median(xs) * 1000:6.2f} ms  p90 {q[8] * 1000:6.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="transactions per listener")
    parser.add_argument("--message", type=Path, help="message file (default: median ham)")
    args = parser.parse_args()
    reason = postfix_missing()
    if reason:
        raise SystemExit(f"cannot run: {reason}")
    raw, what = (args.message.read_bytes(), str(args.message)) if args.message else median_ham()
    tmp = Path(tempfile.mkdtemp(prefix="aupguard-bench-"))
    db = f"sqlite:///{tmp / 'aupguard.db'}"
    store = Store(db)
    add_tenant(store, "acme", "acme.example")
    store.dispose()
    sink = Sink()
    postfix = PostfixInstance(sink.port, milter_port=None)
    milter = start_milter(db, tmp, "--postfix-config", str(postfix.etc))
    main_cf = postfix.etc / "main.cf"
    main_cf.write_text(
        main_cf.read_text().replace(
            "smtpd_milters = \n", f"smtpd_milters = inet:127.0.0.1:{milter.port}\n"
        )
    )
    postfix.start()
    plain_times: list[float] = []
    milter_times: list[float] = []
    try:
        plain = smtplib.SMTP("127.0.0.1", postfix.plain_port, timeout=30)
        with_milter = smtplib.SMTP("127.0.0.1", postfix.smtp_port, timeout=30)
        for c in (plain, with_milter):
            c.ehlo("bench.aupguard.test")
        for i in range(20):  # warm-up: imports, caches, first database pages
            transaction(plain, as_tenant_mail(raw, -2 * i))
            transaction(with_milter, as_tenant_mail(raw, -2 * i - 1))
        cpu_before = cpu_seconds(milter.proc.pid)
        for i in range(args.n):
            pair = [(plain, plain_times), (with_milter, milter_times)]
            for client, times in pair if i % 2 else reversed(pair):
                times.append(
                    transaction(
                        client, as_tenant_mail(raw, len(plain_times) * 2 + len(milter_times))
                    )
                )
        cpu = (cpu_seconds(milter.proc.pid) - cpu_before) / args.n
        plain.quit()
        with_milter.quit()
    finally:
        postfix.stop()
        milter.stop()
        sink.stop()
    a, b = statistics.median(plain_times), statistics.median(milter_times)
    print(f"message: {what} ({len(raw)} bytes); {args.n} transactions per listener")
    print(summary("without milter", plain_times))
    print(summary("with milter", milter_times))
    print(f"milter adds {(b - a) * 1000:.2f} ms median per transaction (ratio {b / a:.2f})")
    print(
        f"milter process CPU per message: {cpu * 1000:.2f} ms "
        f"(load average {os.getloadavg()[0]:.1f})"
    )


if __name__ == "__main__":
    main()
