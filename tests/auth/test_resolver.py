"""Resolvers: zone data, deadlines that give TEMPERROR, and the TTL cache."""

from __future__ import annotations

import contextlib
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aupguard.auth.resolver import (
    TIMEOUT,
    Answer,
    CachingResolver,
    DnsResolver,
    Mx,
    Txt,
    ZoneResolver,
)
from aupguard.auth.spf import check_spf
from aupguard.errors import DnsError, DnsTempError

ZONE = """
# a comment
example.com TXT "v=spf1 ip4:192.0.2.0/24 " "-all"
example.com MX 10 mx.example.com
mx.example.com A 192.0.2.10
alias.example.com CNAME example.com
slow.example TIMEOUT
"""


def test_zone_text_answers_and_follows_cnames() -> None:
    zone = ZoneResolver.from_text(ZONE)
    txt = zone.query("Example.COM.", "TXT").records[0]
    assert isinstance(txt, Txt) and txt.text == "v=spf1 ip4:192.0.2.0/24 -all"
    assert zone.query("example.com", "MX").records == (Mx(10, "mx.example.com"),)
    assert zone.query("alias.example.com", "TXT").records == (txt,)
    assert zone.query("nowhere.example", "A") == Answer((), 300, exists=False)
    with pytest.raises(DnsTempError):
        zone.query("slow.example", "TXT")


def test_zone_text_errors_name_the_line() -> None:
    with pytest.raises(DnsError, match=r"zone:2: expected 'name TYPE value'"):
        ZoneResolver.from_text("a.example A 192.0.2.1\nb.example BOGUS x")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_cache_keeps_answers_for_their_ttl() -> None:
    zone = ZoneResolver({"a.example": [("A", "192.0.2.1")]}, ttl=60)
    clock = Clock()
    cache = CachingResolver(zone, clock=clock)
    for _ in range(3):
        assert cache.query("A.example.", "A").records == ("192.0.2.1",)
    assert zone.queries == 1 and cache.hits == 2
    clock.now += 61
    cache.query("a.example", "A")
    assert zone.queries == 2


def test_cache_remembers_a_timeout_briefly_but_not_a_spent_budget() -> None:
    zone = ZoneResolver({"slow.example": [TIMEOUT]})
    clock = Clock()
    cache = CachingResolver(zone, clock=clock, error_ttl=5)
    for _ in range(2):
        with pytest.raises(DnsTempError):
            cache.query("slow.example", "TXT")
    assert zone.queries == 1
    clock.now += 6
    with pytest.raises(DnsTempError):
        cache.query("slow.example", "TXT", deadline=time.monotonic() - 1)
    with pytest.raises(DnsTempError):
        cache.query("slow.example", "TXT")
    assert zone.queries == 2  # the spent-budget failure never reached the zone, nor the cache


def test_cache_is_bounded() -> None:
    zone = ZoneResolver({f"h{i}.example": [("A", "192.0.2.1")] for i in range(10)})
    cache = CachingResolver(zone, max_entries=4)
    for i in range(10):
        cache.query(f"h{i}.example", "A")
    assert len(cache._cache) == 4


def test_missed_deadline_is_spf_temperror() -> None:
    zone = ZoneResolver({"example.com": [("TXT", "v=spf1 -all")]})
    got = check_spf("192.0.2.1", "a@example.com", "mx.example.com", zone, time.monotonic() - 0.1)
    assert got.result == "temperror"


def test_unreachable_name_server_is_temperror() -> None:
    # 127.0.0.1:53 has no server on this machine: the look-up fails within the deadline.
    resolver = DnsResolver(["127.0.0.9"], timeout=0.2)
    started = time.monotonic()
    with pytest.raises(DnsTempError):
        resolver.query("example.com", "TXT", deadline=time.monotonic() + 0.3)
    assert time.monotonic() - started < 1.0


@given(st.text(max_size=200))
def test_zone_text_parser_never_crashes_otherwise(text: str) -> None:
    with contextlib.suppress(DnsError, ValueError):
        ZoneResolver.from_text(text)
