"""Builders for activity samples: flows, scans and benign traffic, driven by event time."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from aupguard.events.model import Channel, Event, Flow

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
SCANNER = "198.51.100.66"


def flow(
    n: int,
    dst: str,
    port: int,
    state: str,
    at: datetime,
    src: str = "198.51.100.7",
    proto: str = "tcp",
    flags: str = "",
    data: int = 0,
    workload: str = "crm-sync",
) -> Event:
    content = Flow(src, dst, 40000 + n % 20000, port, proto, flags, data, data, 4, state)
    return Event(
        id=f"f{n}-{src}-{dst}-{port}-{at.timestamp()}",
        channel=Channel.FLOW,
        content=content,
        time=at,
        tenant="acme",
        workload=workload,
    )


def benign_flows(count: int, seed: int = 7, start: datetime = T0) -> list[Event]:
    """A workload calling ~40 API endpoints: repeated contacts, a new one now and then,
    a flaky service that times out, connection races cancelled now and then."""
    rng = random.Random(seed)
    services = [
        (f"203.0.113.{i}", rng.choice([443, 443, 443, 8443, 5432, 6379])) for i in range(40)
    ]
    out: list[Event] = []
    at = start
    for n in range(count):
        at += timedelta(seconds=rng.expovariate(1 / 2.0))
        if rng.random() < 0.01:  # a new partner endpoint appears
            services.append((f"192.0.2.{rng.randrange(1, 250)}", 443))
        dst, port = rng.choice(services[:12]) if rng.random() < 0.8 else rng.choice(services)
        roll = rng.random()
        if roll < 0.02:
            out.append(flow(n, dst, port, "S0", at, flags="S"))  # timeout
        elif roll < 0.03:
            out.append(flow(n, dst, port, "REJ", at, flags="Sr"))  # service restarting
        else:
            out.append(
                flow(n, dst, port, "SF", at, flags="ShADadFf", data=rng.randrange(200, 9000))
            )
    return out


def vertical_scan(ports: range, host: str = "203.0.113.50", start: datetime = T0) -> list[Event]:
    return [
        flow(p, host, p, "REJ", start + timedelta(milliseconds=20 * i), src=SCANNER, flags="Sr")
        for i, p in enumerate(ports)
    ]


def horizontal_scan(hosts: int, port: int = 22, start: datetime = T0) -> list[Event]:
    return [
        flow(
            i,
            f"10.20.{i // 250}.{i % 250 + 1}",
            port,
            "S0",
            start + timedelta(seconds=i),
            src=SCANNER,
            flags="S",
        )
        for i in range(hosts)
    ]


def slow_scan(probes: int, every_s: int = 60, start: datetime = T0) -> list[Event]:
    """One probe a minute: a new port of a new host each time, all unanswered."""
    return [
        flow(
            i,
            f"10.30.{i // 200}.{i % 200 + 1}",
            [22, 23, 80, 443, 445, 3389][i % 6],
            "S0",
            start + timedelta(seconds=every_s * i),
            src=SCANNER,
            flags="S",
        )
        for i in range(probes)
    ]
