"""The public conformance suites: openspf RFC 7208 / RFC 4408 SPF and ValiMail ARC."""

from __future__ import annotations

import pytest

from aupguard.auth.dkim import verify_arc
from aupguard.auth.resolver import ZoneResolver
from aupguard.auth.spf import check_spf
from tests.auth.suites import arc_cases, spf_cases
from tests.conftest import corpus


@pytest.mark.corpora
@pytest.mark.parametrize("suite", ["rfc7208-tests.yml", "rfc4408-tests.yml"])
def test_spf_suite_passes_in_full(suite: str) -> None:
    failures = []
    cases = list(spf_cases(corpus("spf-rfc7208-tests") / suite))
    for case in cases:
        got = check_spf(
            case.host,
            case.mailfrom,
            case.helo,
            ZoneResolver(case.zone),
            strict=case.strict,
            default_explanation="DEFAULT",
        )
        ok = got.result in case.expected
        if case.explanation is not None and got.explanation != case.explanation:
            ok = False
        if not ok:
            failures.append(f"{case.id}: expected {case.expected}, got {got}")
    assert len(cases) == {"rfc7208-tests.yml": 203, "rfc4408-tests.yml": 191}[suite]
    assert not failures, "\n".join(failures)


@pytest.mark.corpora
def test_arc_validation_suite_agrees() -> None:
    path = corpus("arc-dkim-test-suite") / "tests" / "arc-draft-validation-tests.yml"
    cases = list(arc_cases(path))
    failures = []
    for case in cases:
        got = verify_arc(case.message, case.resolver)
        # An empty cv in the suite: an earlier sealer reported cv=fail, the chain ended there.
        ok = got.terminated if case.expected == "" else got.result == case.expected
        if not ok:
            failures.append(f"{case.id}: expected {case.expected!r}, got {got}")
    assert len(cases) == 171
    assert not failures, "\n".join(failures)
