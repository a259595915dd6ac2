"""Simulated telephony traffic, driven by event time: campaigns, war-dialing, robocalls, SMS."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from aupguard.events.model import CallRecord, Channel, Event, MessageContent
from tests.detectors.activity import T0

AREA_CODES = [212, 312, 415, 617, 713, 202, 305, 404, 503, 602, 702, 206, 303, 512, 615]


def call(
    n: int,
    caller: str,
    callee: str,
    at: datetime,
    duration: float,
    answered: bool,
    sip: int | None = None,
    attestation: str | None = "A",
    campaign: str = "spring",
) -> Event:
    record = CallRecord(
        caller, callee, at, duration, answered, attestation=attestation, sip_code=sip
    )
    return Event(
        f"c{n}-{campaign}",
        Channel.CALL,
        record,
        at,
        tenant="acme",
        workload="dialer",
        campaign=campaign,
    )


def outbound_campaign(
    hours: float = 8, agents: int = 40, seed: int = 11, start: datetime = T0
) -> list[Event]:
    """A predictive-dialer campaign to a customer list: numbers spread over many area codes,
    a quarter answered, conversations of minutes (some brief refusals), unanswered calls
    ringing 15-30 s, a few stale numbers on the list."""
    rng = random.Random(seed)
    out: list[Event] = []
    at, n = start, 0
    while at < start + timedelta(hours=hours):
        at += timedelta(seconds=rng.expovariate(agents / 30))  # ~2 calls per agent a minute
        callee = f"+1{rng.choice(AREA_CODES)}{rng.randrange(200, 999)}{rng.randrange(10_000):04d}"
        roll = rng.random()
        if roll < 0.25:
            talk = rng.uniform(5, 25) if rng.random() < 0.3 else rng.lognormvariate(5.0, 0.7)
            out.append(call(n, "+18005550100", callee, at, talk, True, 200))
        elif roll < 0.28:
            out.append(call(n, "+18005550100", callee, at, 1.0, False, 404))
        else:
            out.append(
                call(
                    n,
                    "+18005550100",
                    callee,
                    at,
                    rng.uniform(15, 30),
                    False,
                    rng.choice([480, 486, 487]),
                )
            )
        n += 1
    return out


def war_dialing(numbers: int = 300, start: datetime = T0, block: str = "+1555010") -> list[Event]:
    """Consecutive numbers two a second: most unassigned, the rest dropped within seconds."""
    rng = random.Random(5)
    out = []
    for i in range(numbers):
        at = start + timedelta(seconds=i / 2)
        callee = f"{block}{i:04d}"
        roll = rng.random()
        if roll < 0.45:
            out.append(call(i, "+15550199999", callee, at, 0.5, False, 404, "C", "sweep"))
        elif roll < 0.85:
            out.append(call(i, "+15550199999", callee, at, 4.0, False, 487, "C", "sweep"))
        else:
            out.append(call(i, "+15550199999", callee, at, 1.5, True, 200, "C", "sweep"))
    return out


def robocall_burst(calls: int = 1500, per_minute: int = 300, start: datetime = T0) -> list[Event]:
    rng = random.Random(9)
    out = []
    for i in range(calls):
        at = start + timedelta(seconds=60 * i / per_minute)
        callee = f"+1{rng.choice(AREA_CODES)}{rng.randrange(200, 999)}{rng.randrange(10_000):04d}"
        if rng.random() < 0.3:
            out.append(
                call(i, "+18885550111", callee, at, rng.uniform(3, 28), True, 200, "C", "promo")
            )
        else:
            out.append(
                call(i, "+18885550111", callee, at, rng.uniform(10, 25), False, 480, "C", "promo")
            )
    return out


def sms(n: int, to: str, text: str, at: datetime, tenant: str = "acme") -> Event:
    return Event(
        f"s{n}-{to}-{at.timestamp()}",
        Channel.SMS,
        MessageContent(text, "Acme", to),
        at,
        tenant=tenant,
        workload="verify",
        recipients=(to,),
    )


def otp_traffic(
    hours: float = 30, per_hour: int = 60, seed: int = 3, start: datetime = T0
) -> list[Event]:
    """A tenant's normal verification codes: customers in the US, UK and Germany."""
    rng = random.Random(seed)
    out = []
    for i in range(int(hours * per_hour)):
        at = start + timedelta(seconds=i * 3600 / per_hour)
        to = rng.choice(
            [
                f"+1{rng.choice(AREA_CODES)}{rng.randrange(200, 999)}{rng.randrange(10_000):04d}",
                f"+447{rng.randrange(400, 999)}{rng.randrange(1_000_000):06d}",
                f"+4915{rng.randrange(10, 99)}{rng.randrange(10_000_000):07d}",
            ]
        )
        out.append(
            sms(i, to, f"Your Acme verification code is {rng.randrange(100000, 999999)}", at)
        )
    return out


def pumping_burst(
    messages: int = 60, start: datetime = T0, prefix: str = "+2250700123"
) -> list[Event]:
    """Codes to consecutive numbers of one range in a country the tenant never served."""
    return [
        sms(
            10_000 + i,
            f"{prefix}{i:03d}",
            f"Your Acme verification code is {482910 + i}",
            start + timedelta(seconds=10 * i),
        )
        for i in range(messages)
    ]
