"""DMARC: record parsing, policy discovery at the organizational domain, alignment."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from aupguard.auth.dkim import DkimResult
from aupguard.auth.dmarc import aligned, evaluate_dmarc, organizational_domain, parse_record
from aupguard.auth.resolver import TIMEOUT, ZoneResolver
from aupguard.auth.spf import SpfResult

ZONE = ZoneResolver.from_text(
    """
_dmarc.bank.example TXT "v=DMARC1; p=reject; sp=quarantine; adkim=s; rua=mailto:d@bank.example"
_dmarc.shop.co.uk TXT "v=DMARC1; p=quarantine"
_dmarc.twice.example TXT "v=DMARC1; p=reject"
_dmarc.twice.example TXT "v=DMARC1; p=none"
_dmarc.norua.example TXT "v=DMARC1; p=bogus"
_dmarc.rua.example TXT "v=DMARC1; p=bogus; rua=mailto:x@rua.example"
"""
)
ZONE.add("_dmarc.slow.example", "TXT", TIMEOUT)


def spf(domain: str, result: str = "pass") -> SpfResult:
    return SpfResult(result, domain, "mailfrom")


def dkim(domain: str, result: str = "pass") -> DkimResult:
    return DkimResult(domain, "s1", "rsa-sha256", result)


def test_organizational_domain_uses_the_public_suffix_list() -> None:
    assert organizational_domain("a.b.shop.co.uk") == "shop.co.uk"
    assert organizational_domain("mail.bank.example") == "bank.example"
    assert aligned("bounce.shop.co.uk", "shop.co.uk", strict=False)
    assert not aligned("bounce.shop.co.uk", "shop.co.uk", strict=True)
    assert not aligned("other.co.uk", "shop.co.uk", strict=False)


def test_pass_by_relaxed_spf_and_subdomain_policy() -> None:
    got = evaluate_dmarc("news.shop.co.uk", spf("bounce.shop.co.uk"), (), ZONE)
    assert (got.result, got.policy, got.spf_aligned) == ("pass", "quarantine", True)
    got = evaluate_dmarc("alerts.bank.example", spf("evil.example"), (), ZONE)
    assert (got.result, got.policy) == ("fail", "quarantine")  # sp= for a subdomain


def test_strict_dkim_alignment() -> None:
    got = evaluate_dmarc("bank.example", None, (dkim("mail.bank.example"),), ZONE)
    assert (got.result, got.policy) == ("fail", "reject")
    got = evaluate_dmarc("bank.example", None, (dkim("bank.example"),), ZONE)
    assert got.result == "pass" and got.dkim_aligned
    got = evaluate_dmarc("bank.example", None, (dkim("bank.example", "fail"),), ZONE)
    assert got.result == "fail"


def test_no_record_several_records_and_bad_policy() -> None:
    assert evaluate_dmarc("nowhere.example", spf("nowhere.example"), (), ZONE).result == "none"
    assert evaluate_dmarc("twice.example", None, (), ZONE).result == "none"
    assert evaluate_dmarc("norua.example", None, (), ZONE).result == "none"
    got = evaluate_dmarc("rua.example", None, (), ZONE)
    assert (got.result, got.policy) == ("fail", "none")


def test_timeout_is_temperror_and_no_from_is_permerror() -> None:
    assert evaluate_dmarc("slow.example", None, (), ZONE).result == "temperror"
    assert evaluate_dmarc("", None, (), ZONE).result == "permerror"


def test_parse_record_tags() -> None:
    rec = parse_record("v=DMARC1;p=Reject;pct=50;aspf=s;;", "x.example")
    assert rec is not None and (rec.policy, rec.pct, rec.aspf_strict) == ("reject", 50, True)
    assert parse_record("v=spf1 -all", "x.example") is None
    assert parse_record("p=reject; v=DMARC1", "x.example") is None


@given(st.text(max_size=300))
def test_parse_record_never_raises(text: str) -> None:
    rec = parse_record(text, "x.example")
    assert rec is None or rec.policy in ("none", "quarantine", "reject")
