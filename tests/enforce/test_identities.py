"""IdentitySnapshot look-ups added for origin checks: ranges (bisect), brands, sender IDs."""

from __future__ import annotations

import ipaddress

from hypothesis import given
from hypothesis import strategies as st

from aupguard.enforce.identities import Identity, IdentityKind, IdentitySnapshot

K = IdentityKind


@given(
    st.lists(st.tuples(st.integers(0, 2**32 - 1), st.integers(8, 32)), min_size=1, max_size=30),
    st.lists(st.integers(0, 2**32 - 1), max_size=30),
)
def test_range_look_ups_agree_with_a_scan(ranges: list[tuple[int, int]], probes: list[int]) -> None:
    nets = [ipaddress.ip_network((addr, plen), strict=False) for addr, plen in ranges]
    snap = IdentitySnapshot(Identity(f"t{i}", K.IP_RANGE, str(n), True) for i, n in enumerate(nets))
    for probe in probes + [int(n.network_address) for n in nets]:
        ip = ipaddress.ip_address(probe)
        owners = {f"t{i}" for i, n in enumerate(nets) if ip in n}
        assert (snap.owner_of_ip(str(ip)) is not None) == bool(owners)
        for tenant in {f"t{i}" for i in range(len(nets))}:
            assert snap.ip_in_ranges(tenant, str(ip)) == (tenant in owners)


def test_workload_ranges_and_has_ip_ranges() -> None:
    snap = IdentitySnapshot(
        [
            Identity("a", K.IP_RANGE, "10.0.0.0/8", True),
            Identity("a", K.IP_RANGE, "192.0.2.0/25", True, workload="web"),
            Identity("b", K.IP_RANGE, "2001:db8::/32", True, workload="api"),
        ]
    )
    assert snap.has_ip_ranges("a") and snap.has_ip_ranges("a", "db") and not snap.has_ip_ranges("c")
    assert snap.has_ip_ranges("b", "api") and not snap.has_ip_ranges("b", "web")
    assert snap.ip_in_ranges("a", "192.0.2.5", "web") and not snap.ip_in_ranges(
        "a", "192.0.2.5", "db"
    )
    assert snap.owner_of_ip("2001:db8::1") == "b" and snap.owner_of_ip("2001:db9::1") is None


def test_brands_in_text_and_numeric_sender_ids() -> None:
    snap = IdentitySnapshot(
        [
            Identity("a", K.BRAND, "Acme Rockets", True),
            Identity("b", K.BRAND, "Globex", True),
            Identity("b", K.NUMBER, "+1 555 010 0002", True),
            Identity("c", K.BRAND, "Hidden", False),
        ]
    )
    assert snap.brands_in("ACME  rockets support") == (("Acme Rockets", "a"),)
    assert snap.brands_in("Glοbex") == (("Globex", "b"),)  # Greek omicron folded
    assert snap.brands_in("Hidden Acme") == ()
    assert snap.owner_of_sender_id("+1 (555) 010-0002") == "b"
