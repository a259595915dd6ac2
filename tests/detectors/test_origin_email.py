"""Origin forgery in e-mail: the issue's scenarios, judged end to end by the default ruleset."""

from __future__ import annotations

import pytest

from aupguard.detectors.context import Context
from aupguard.rules.model import Action
from tests.detectors.origin_samples import CTX, engine, mail, origin, signal_names

ENGINE = engine()
STRICT = engine(without_exceptions=True)  # the same ruleset with no alias/remailer exception


def test_tenant_sending_as_its_own_domain_passes() -> None:
    verdict = ENGINE.evaluate(
        mail(extra="DKIM-Signature: v=1; d=acme.example; s=s1; b=x\r\n"), CTX
    ).verdict
    assert origin(verdict) == (Action.ALLOW, set())
    assert verdict.action is Action.ALLOW


@pytest.mark.parametrize(
    ("from_", "expected", "minimum"),
    [
        ("Globex <news@globex.example>", {"FROM_NOT_OWNED", "FROM_OTHER_TENANT"}, Action.HOLD),
        ("Chase <alerts@chase.com>", {"FROM_NOT_OWNED", "FROM_BRAND_DOMAIN"}, Action.HOLD),
        ("Chase Bank <alerts@acme.example>", {"DISPLAY_NAME_BRAND"}, Action.FLAG),
        ("Globex Support <news@acme.example>", {"DISPLAY_NAME_TENANT_BRAND"}, Action.FLAG),
        ("Initech <news@initech.example>", {"FROM_NOT_OWNED"}, Action.FLAG),  # unverified claim
    ],
    ids=[
        "other-tenant-domain",
        "bank-address",
        "bank-display-name",
        "tenant-brand-name",
        "unverified",
    ],
)
def test_sending_as_someone_else_is_flagged(
    from_: str, expected: set[str], minimum: Action
) -> None:
    verdict = ENGINE.evaluate(mail(from_), CTX).verdict
    action, counted = origin(verdict)
    assert expected <= counted and action >= minimum
    assert any(e.part == "header:From" for s in verdict.signals for e in s.evidence)


def test_injected_received_chain_is_flagged_with_the_lines_named() -> None:
    event = mail(
        received=(
            "from relay.unknown-isp.example (relay.unknown-isp.example [192.0.2.199]) by "
            "mx.unknown-isp.example with ESMTP id 1; Mon, 2 Nov 2026 11:59:00 +0000",
            "from mail.chase.com (mail.chase.com [159.53.1.1]) by mx.chase.com; Mon, 2 Nov 2026",
        )
    )
    verdict = ENGINE.evaluate(event, CTX).verdict
    action, counted = origin(verdict)
    assert {"RECEIVED_INJECTED", "RECEIVED_FOREIGN_CLAIM"} <= counted and action >= Action.HOLD
    parts = {e.part for s in verdict.signals for e in s.evidence}
    assert {"header:Received[1]", "header:Received[2]"} <= parts


def test_platform_hops_and_the_tenants_own_relay_are_not_injected() -> None:
    from aupguard.detectors.received_route import Options, ReceivedRouteDetector
    from aupguard.events.normalize import views_for

    event = mail(
        received=(
            "from app (app [198.51.100.7]) by smtp1.platform.example with ESMTPSA; Mon, 2 Nov 2026",
            "from app01 (app01 [198.51.100.8]) by relay.acme.example; Mon, 2 Nov 2026",
        )
    )
    detector = ReceivedRouteDetector(Options(platform_hosts=["platform.example"]))
    assert detector.check(views_for(event), CTX) == []


@pytest.mark.parametrize(
    ("event", "exception_signal"),
    [
        (
            mail("Acme <news@acme-alias.example>", mail_from="b@acme-alias.example"),
            "VERIFIED_ALIAS",
        ),
        (
            mail(
                "Anonymous <u123@anon.example>",
                mail_from="",
                message_id="<9@anon.example>",
                helo="anon.example",
            ),
            "DISCLOSED_REMAILER",
        ),
    ],
    ids=["verified-alias", "disclosed-remailer"],
)
def test_alias_and_remailer_exception_is_ruleset_data(event: object, exception_signal: str) -> None:
    with_exception = ENGINE.evaluate(event, CTX).verdict  # type: ignore[arg-type]
    without = STRICT.evaluate(event, CTX).verdict  # type: ignore[arg-type]
    assert exception_signal in signal_names(with_exception)
    assert origin(with_exception)[0] is Action.ALLOW
    clause = next(c for c in with_exception.clauses if c.clause == "origin-forgery")
    assert "FROM_NOT_OWNED" in clause.suppressed and "alias" in clause.exception_reason
    assert origin(without)[0] >= Action.FLAG and "FROM_NOT_OWNED" in origin(without)[1]


def test_alias_does_not_excuse_a_brand_display_name() -> None:
    verdict = ENGINE.evaluate(mail("PayPal Security <x@acme-alias.example>"), CTX).verdict
    action, counted = origin(verdict)
    assert "DISPLAY_NAME_BRAND" in counted and action >= Action.FLAG


def test_no_tenant_bank_display_name_with_bank_route_is_flagged() -> None:
    event = mail(
        "Bank of America <alerts@secure-verify-account.example>",
        tenant=None,
        mail_from=None,
        received=(
            "from mail.bankofamerica.com (mail.bankofamerica.com [171.161.1.1]) by "
            "mx.bankofamerica.com with ESMTP; Mon, 2 Nov 2026 11:59:00 +0000",
        ),
    )
    for ctx in (Context(), CTX):
        verdict = ENGINE.evaluate(event, ctx).verdict
        action, counted = origin(verdict)
        assert {"DISPLAY_NAME_BRAND", "RECEIVED_BRAND_CLAIM"} <= counted
        assert action >= Action.HOLD
        details = " ".join(e.detail for s in verdict.signals for e in s.evidence)
        assert (
            "Bank of America" in details and "mx.bankofamerica.com" in details
        ) or "mail.bankofamerica.com" in details


@pytest.mark.parametrize(
    "from_",
    [
        "Bank of America <alerts@bankofamerica.com>",  # the brand's own domain
        "Chase Miller <chase.miller@acme.example>",  # a person's name: weak, below flag
        "Acme Rockets <news@acme.example>",
        "<news@acme.example>",
    ],
)
def test_no_tenant_legitimate_names_are_not_flagged(from_: str) -> None:
    verdict = ENGINE.evaluate(mail(from_, tenant=None, mail_from=None), Context()).verdict
    assert origin(verdict)[0] is Action.ALLOW


def test_display_name_showing_another_address() -> None:
    verdict = ENGINE.evaluate(mail('"support@globex.example" <x@acme.example>'), CTX).verdict
    assert "DISPLAY_NAME_ADDRESS" in origin(verdict)[1]


def test_helo_message_id_and_dkim_domains_must_be_owned() -> None:
    event = mail(
        helo="mail.globex.example",
        message_id="<1@mail.chase.com>",
        extra="DKIM-Signature: v=1; d=globex.example; s=s1; b=x\r\n",
    )
    names = signal_names(ENGINE.evaluate(event, CTX).verdict)
    assert {"HELO_NOT_OWNED", "MESSAGE_ID_NOT_OWNED", "DKIM_DOMAIN_NOT_OWNED"} <= names
    assert "FROM_NOT_OWNED" not in names


def test_ownership_needs_a_tenant_and_a_directory() -> None:
    event = mail("Globex <news@globex.example>")
    assert origin(ENGINE.evaluate(event, Context()).verdict)[0] is Action.ALLOW
