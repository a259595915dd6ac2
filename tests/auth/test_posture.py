"""Posture: SPF, DKIM keys and DMARC of sending domains, and what is missing."""

from __future__ import annotations

from aupguard.auth.posture import check_domains
from aupguard.auth.resolver import TIMEOUT, ZoneResolver

ZONE = ZoneResolver.from_text(
    """
good.example TXT "v=spf1 include:_spf.platform.example -all"
s1._domainkey.good.example TXT "v=DKIM1; k=rsa; p=MIGfMA0G"
_dmarc.good.example TXT "v=DMARC1; p=reject; rua=mailto:d@good.example"
twice.example TXT "v=spf1 -all"
twice.example TXT "v=spf1 a -all"
s1._domainkey.twice.example TXT "v=DKIM1; p="
sub.good.example TXT "v=spf1 -all"
s1._domainkey.sub.good.example TXT "v=DKIM1; p=MIGf"
"""
)
ZONE.add("slow.example", "TXT", TIMEOUT)


def test_complete_incomplete_and_broken_domains() -> None:
    good, twice, bare, sub, slow = check_domains(
        ["good.example", "twice.example", "bare.example", "Sub.Good.Example.", "slow.example"],
        ["s1"],
        ZONE,
    )
    assert good.complete and good.problems == () and good.dmarc == "p=reject at good.example"
    assert set(twice.missing) == {"spf", "dkim:s1", "dmarc"}
    assert any("2 SPF records" in p for p in twice.problems)
    assert any("revoked" in p for p in twice.problems)
    assert set(bare.missing) == {"spf", "dkim:s1", "dmarc"}
    assert sub.complete and sub.dmarc == "p=reject at good.example"  # the org domain's record
    assert slow.missing == ("dns",)
