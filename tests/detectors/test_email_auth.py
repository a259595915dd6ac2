"""The email_auth detector: signals from SPF, DKIM, DMARC and ARC, computed once per message."""

from __future__ import annotations

import base64
from dataclasses import replace

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from aupguard.auth.resolver import TIMEOUT, ZoneResolver
from aupguard.auth.results import MEMO_KEY, results_for
from aupguard.detectors.context import Context
from aupguard.detectors.email_auth import EmailAuthDetector
from aupguard.events.email import EmailView
from aupguard.events.model import EmailContent, Event
from aupguard.events.normalize import views_for
from aupguard.rules.model import Action
from tests.detectors.origin_samples import engine, mail, origin


@pytest.fixture(scope="module")
def key() -> tuple[bytes, str]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    der = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return pem, base64.b64encode(der).decode()


def zone(public: str) -> ZoneResolver:
    return ZoneResolver.from_text(
        f"""
acme.example TXT "v=spf1 ip4:198.51.100.0/24 -all"
s1._domainkey.acme.example TXT "v=DKIM1; k=rsa; p={public}"
_dmarc.acme.example TXT "v=DMARC1; p=reject"
bank.example TXT "v=spf1 ip4:203.0.113.0/24 -all"
_dmarc.bank.example TXT "v=DMARC1; p=reject"
"""
    )


def signed(event: Event, pem: bytes) -> Event:
    assert isinstance(event.content, EmailContent)
    raw = event.content.raw
    sig = dkim.sign(raw, b"s1", b"acme.example", pem, include_headers=[b"from", b"subject"])
    return replace(event, content=replace(event.content, raw=sig + raw))


def names(event: Event, resolver: ZoneResolver | None) -> set[str]:
    # A generous budget: this test is about results, not speed (the machine may be loaded).
    detector = EmailAuthDetector.from_options({"budget_ms": 30_000})
    found = detector.check(views_for(event), Context(resolver=resolver))
    return {s.name for s in found}


def test_aligned_mail_raises_nothing(key: tuple[bytes, str]) -> None:
    pem, public = key
    assert names(signed(mail(), pem), zone(public)) == set()
    # SPF alone, aligned through the envelope, is enough too
    assert names(mail(), zone(public)) == set()


def test_forged_bank_mail_fails_everything(key: tuple[bytes, str]) -> None:
    event = mail("Bank <alerts@bank.example>", mail_from="alerts@bank.example")
    found = names(event, zone(key[1]))
    assert found == {"SPF_FAIL", "DMARC_FAIL", "DMARC_REJECT", "AUTH_NOT_ALIGNED"}
    verdict = engine().evaluate(event, Context(resolver=zone(key[1]))).verdict
    assert origin(verdict)[0] >= Action.HOLD


def test_altered_signed_mail_is_dkim_fail(key: tuple[bytes, str]) -> None:
    pem, public = key
    event = signed(mail(mail_from="bounce@elsewhere.example"), pem)
    assert isinstance(event.content, EmailContent)
    tampered = replace(
        event, content=replace(event.content, raw=event.content.raw + b"PS: pay\r\n")
    )
    assert names(tampered, zone(public)) == {
        "DKIM_FAIL",
        "DMARC_FAIL",
        "DMARC_REJECT",
        "AUTH_NOT_ALIGNED",
    }


def test_dns_timeouts_give_temperror_that_never_holds_mail() -> None:
    slow = ZoneResolver({"acme.example": [TIMEOUT], "_dmarc.acme.example": [TIMEOUT]})
    assert names(mail(), slow) == {"AUTH_TEMPERROR"}
    verdict = engine().evaluate(mail(), Context(resolver=slow)).verdict
    assert verdict.action is Action.ALLOW


def test_no_resolver_no_dns(key: tuple[bytes, str]) -> None:
    assert names(mail("Bank <alerts@bank.example>"), None) == set()


def test_results_are_computed_once_and_shared(key: tuple[bytes, str]) -> None:
    resolver = zone(key[1])
    view = views_for(signed(mail(), key[0]))
    assert isinstance(view, EmailView)
    first = results_for(view, resolver)
    asked = resolver.queries
    assert results_for(view, resolver) is first and view.memo[MEMO_KEY] is first
    EmailAuthDetector().check(view, Context(resolver=resolver))
    assert resolver.queries == asked
    assert first.dkim[0].result == "pass" and first.dmarc.result == "pass"
