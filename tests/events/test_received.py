"""Received fields as hops: hosts and addresses, within hard limits."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from aupguard.events.received import MAX_HOPS, parse_received


def test_parses_the_usual_shapes() -> None:
    hops = parse_received(
        [
            "from mail.example.org (mail.example.org [192.0.2.7])\r\n\tby mx.example.net "
            "(Postfix) with ESMTPS id X; Tue, 13 Apr 2021 11:40:02 -0400",
            "from PC ([IPv6:2409:4063::1]) by smtp.gmail.com with ESMTPSA id n23",
            "by 10.157.14.6 with HTTP; Tue, 3 Jan 2017 12:22:54 -0800 (PST)",
            "(qmail 84128 invoked by uid 3013); 7 Mar 2011 19:23:23 -0000",
        ]
    )
    assert (hops[0].from_host, hops[0].from_rdns, hops[0].from_ip, hops[0].by_host) == (
        "mail.example.org",
        "mail.example.org",
        "192.0.2.7",
        "mx.example.net",
    )
    assert (hops[1].from_host, hops[1].from_ip, hops[1].by_host) == (
        "pc",
        "2409:4063::1",
        "smtp.gmail.com",
    )
    assert hops[2].by_host == "10.157.14.6" and hops[2].from_host == ""
    assert hops[3].hosts == ()


def test_limits_hops() -> None:
    assert len(parse_received(["from a by b"] * (MAX_HOPS + 20))) == MAX_HOPS


@given(st.lists(st.text(max_size=3000), max_size=5))
def test_never_raises_and_stays_within_limits(values: list[str]) -> None:
    for hop in parse_received(values):
        assert len(hop.text) <= 1000
        assert all(len(h) <= 255 for h in hop.hosts)
