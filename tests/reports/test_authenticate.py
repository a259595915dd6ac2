"""Authentication: enrolled + aligned DKIM escalates; forged, anonymous and form reports triage."""

from __future__ import annotations

from aupguard.reports.authenticate import Enrollment, Provider, Route, authenticate, route
from aupguard.reports.caps import CapCounts, CountingCaps, may_count
from aupguard.reports.mailbox import parse_report
from aupguard.reports.model import ReportAuth
from tests.reports.helpers import ENROLLED, arf_message, context, dns, signed


def test_enrolled_aligned_report_counts_toward_escalation() -> None:
    raw = signed(arf_message(sender="fbl@isp.example"))
    report = authenticate(parse_report(raw, context()), raw, ENROLLED, dns)
    assert report.auth == ReportAuth("pass", "isp.example", True, "ISP FBL")
    assert route(report) is Route.ESCALATION


def test_tampered_report_fails_and_goes_to_triage() -> None:
    raw = signed(arf_message()).replace(b"Subject: FBL report", b"Subject: FBL rep0rt")
    report = authenticate(parse_report(raw, context()), raw, ENROLLED, dns)
    assert report.auth.dkim == "fail" and route(report) is Route.TRIAGE


def test_valid_signature_by_a_domain_not_enrolled_goes_to_triage() -> None:
    raw = signed(arf_message(sender="fbl@elsewhere.example"), domain="elsewhere.example")
    report = authenticate(parse_report(raw, context()), raw, ENROLLED, dns)
    assert report.auth.dkim == "pass" and report.auth.provider is None
    assert route(report) is Route.TRIAGE


def test_enrolled_signature_on_a_foreign_from_is_not_aligned() -> None:
    raw = signed(arf_message(sender="someone@attacker.example"))
    report = authenticate(parse_report(raw, context()), raw, ENROLLED, dns)
    assert report.auth.provider == "ISP FBL" and not report.auth.aligned
    assert route(report) is Route.TRIAGE


def test_unsigned_and_unresolvable_reports_go_to_triage() -> None:
    raw = arf_message()
    report = authenticate(parse_report(raw, context()), raw, ENROLLED, dns)
    assert report.auth.dkim == "none" and route(report) is Route.TRIAGE
    raw = signed(arf_message())
    report = authenticate(parse_report(raw, context()), raw, ENROLLED, lambda name: None)
    assert report.auth.dkim == "fail" and route(report) is Route.TRIAGE


def test_caps_per_reporter_and_network_for_unauthenticated_reports() -> None:
    report = parse_report(arf_message(sender="x@anon.example"), context(source_ip="203.0.113.7"))
    caps = CountingCaps(per_reporter=3, per_network=5)
    assert may_count(report, CapCounts(reporter=2, network=4), caps).counts
    over = may_count(report, CapCounts(reporter=3, network=0), caps)
    assert not over.counts and "address:x@anon.example" in (over.reason or "")
    net = may_count(report, CapCounts(reporter=0, network=5), caps)
    assert not net.counts and "203.0.113.0/24" in (net.reason or "")


def test_enrolled_provider_is_capped_only_by_its_own_limit() -> None:
    raw = signed(arf_message())
    report = authenticate(parse_report(raw, context(source_ip="203.0.113.7")), raw, ENROLLED, dns)
    caps = CountingCaps(per_reporter=1, per_network=1)
    assert may_count(report, CapCounts(reporter=500, network=500), caps, ENROLLED).counts
    capped = Enrollment(
        providers=[
            Provider(name="ISP FBL", dkim_domains=["isp.example"], max_counted_per_window=10)
        ]
    )
    assert not may_count(report, CapCounts(reporter=10, network=0), caps, capped).counts


def _complaint(n: int) -> bytes:
    original = (
        f"From: Shop <news@tenant.example>\nTo: user{n}@isp.example\nSubject: Big sale {n}\n"
        f"Message-ID: <c-{n}@tenant.example>\n\nBuy.\n"
    )
    return arf_message(original=original, message_id=f"<r-{n}@isp.example>")


def test_25_authenticated_complaints_escalate_and_25_forged_ones_only_triage() -> None:
    authentic = []
    for n in range(25):
        raw = signed(_complaint(n))
        authentic.append(authenticate(parse_report(raw, context()), raw, ENROLLED, dns))
    assert {route(r) for r in authentic} == {Route.ESCALATION}
    assert (
        len({r.digest for r in authentic}) == 25 and len({r.campaign_key for r in authentic}) == 1
    )
    forged = []
    for n in range(25):
        # From says the enrolled provider; the forger can only sign with its own domain,
        # or not at all.
        raw = signed(_complaint(n), domain="elsewhere.example") if n % 2 else _complaint(n)
        forged.append(authenticate(parse_report(raw, context()), raw, ENROLLED, dns))
    assert {route(r) for r in forged} == {Route.TRIAGE}


def test_an_anonymous_flood_from_one_network_counts_only_up_to_the_cap() -> None:
    caps = CountingCaps(per_reporter=5, per_network=10)
    counted = 0
    for n in range(25):
        raw = arf_message(sender=f"victim{n}@free.example", message_id=f"<f-{n}@x.example>")
        report = parse_report(raw, context(source_ip=f"203.0.113.{n + 1}"))
        if may_count(report, CapCounts(reporter=0, network=counted), caps).counts:
            counted += 1
    assert counted == 10
