"""Links: lookalikes, brands, anchors, hosts, feeds (with hot reload), identity checks."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from aupguard.detectors.context import Context
from aupguard.detectors.lookalike import is_lookalike_identity, skeleton
from aupguard.detectors.urlfeeds import FeedIndex, FeedSpec
from aupguard.detectors.urls import UrlOptions, UrlsDetector
from aupguard.enforce.identities import Identity, IdentityKind, IdentitySnapshot
from aupguard.events.model import Channel, Event, MessageContent
from aupguard.events.normalize import views_for
from aupguard.events.sources import email_event
from tests.conftest import corpus
from tests.detectors.samples import sms


def fired(
    event: Event, detector: UrlsDetector | None = None, ctx: Context | None = None
) -> set[str]:
    d = detector or UrlsDetector()
    return {s.name for s in d.check(views_for(event), ctx or Context())}


def html_mail(href: str, text: str) -> Event:
    raw = (
        "From: a@acme.example\r\nTo: b@c.example\r\nSubject: s\r\nContent-Type: text/html\r\n\r\n"
        f'<html><body><a href="{href}">{text}</a></body></html>\r\n'
    )
    return email_event(raw.encode(), "t")


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("Sign in at https://paypa1.com/login", "URL_LOOKALIKE"),
        ("https://xn--pypal-4ve.com/", "URL_MIXED_SCRIPT"),
        ("https://paypal.com.account-check.net/", "URL_BRAND_IN_NAME"),
        ("https://secure-paypal-help.com/", "URL_BRAND_IN_NAME"),
        ("http://203.0.113.9/login", "URL_IP_HOST"),
        ("https://files.example.net/invoice.pdf.exe", "URL_EXECUTABLE_LINK"),
        ("https://bit.ly/3xYz", "URL_SHORTENER"),
        ("https://www.google.com/url?q=https://evil.example/x", "URL_REDIRECT"),
        ("https://evil.example/wp-content/x/login.php?email=a%40b.example", "URL_SUSPICIOUS"),
    ],
)
def test_url_signals_fire(text: str, signal: str) -> None:
    assert signal in fired(sms(text))


@pytest.mark.parametrize(
    "text",
    [
        "Your order: https://www.paypal.com/myaccount/summary",
        "Docs at https://docs.python.org/3/library/re.html",
        "See https://www.amazon.co.uk/gp/css/order-history",
        "Meeting notes: https://example.com/notes/2024-05-01",
    ],
)
def test_url_signals_do_not_fire(text: str) -> None:
    assert fired(sms(text)) == set()


def test_anchor_text_showing_another_domain() -> None:
    event = html_mail("http://evil.example/login", "https://www.paypal.com/signin")
    assert "URL_ANCHOR_MISMATCH" in fired(event)
    same = html_mail("https://www.acme.example/a", "www.acme.example")
    assert "URL_ANCHOR_MISMATCH" not in fired(same)


def _directory() -> IdentitySnapshot:
    ids = [
        Identity("acme", IdentityKind.DOMAIN, "acmebank.example", True),
        Identity("acme", IdentityKind.BRAND, "AcmeBank", True),
        Identity("globex", IdentityKind.DOMAIN, "globex.example", True),
    ]
    return IdentitySnapshot(ids)


def test_other_tenants_brands_count_own_do_not() -> None:
    directory = _directory()
    msg = "Log in at https://acmebank-secure.example/login"
    event = Event("e", Channel.SMS, MessageContent(msg), tenant="globex")
    assert "URL_BRAND_IN_NAME" in fired(event, ctx=Context(directory=directory))
    own = Event("e", Channel.SMS, MessageContent(msg), tenant="acme")
    assert "URL_BRAND_IN_NAME" not in fired(own, ctx=Context(directory=directory))


def test_identity_verification_refuses_lookalikes() -> None:
    directory = _directory()
    assert is_lookalike_identity("paypa1.com", directory) is not None
    assert is_lookalike_identity("acmebank-login.example", directory, tenant="globex") is not None
    assert is_lookalike_identity("acmebank-login.example", directory, tenant="acme") is None
    assert is_lookalike_identity("globex-travel.example", directory, tenant="globex") is None
    assert is_lookalike_identity("flowers-by-ann.example", directory) is None


def test_skeleton_folds_homoglyphs_and_digits() -> None:
    assert skeleton("pаypa1") == "paypal"
    assert skeleton("rnicrosoft") == "microsoft"


def test_feeds_in_every_format_with_hot_reload(tmp_path: Path) -> None:
    st = corpus("spamassassin-testdata") / "phishing"
    openphish = tmp_path / "openphish.txt"
    openphish.write_text((st / "openphish-feed.txt").read_text())
    urlhaus = tmp_path / "urlhaus.csv"
    urlhaus.write_text(
        "# URLhaus\n"
        '"1","2024-01-01 00:00:00","http://malware.example/bin.exe","online","","malware_download","exe","https://urlhaus.abuse.ch/url/1/","x"\n'
    )
    json_feed = tmp_path / "phishtank.json"
    json_feed.write_text('[{"phish_id": 1, "url": "https://json-feed.example/login"}]')
    specs = [
        FeedSpec(path=openphish),
        FeedSpec(path=st / "phishtank-feed.csv"),
        FeedSpec(path=urlhaus, format="urlhaus_csv"),
        FeedSpec(path=json_feed),
    ]
    detector = UrlsDetector(UrlOptions(feeds=specs, reload_check_s=0))
    for url in (
        "https://ehawkerbd.com/wp/wp-admin/js/office365/auth.php",
        "http://www.nlcmacon.com/login/www.made-in-china.com/Made-in-China.htm",
        "http://malware.example/bin.exe",
        "https://json-feed.example/login",
    ):
        assert "URL_FEED_HIT" in fired(sms(url), detector), url
    assert "URL_FEED_HIT" not in fired(sms("https://new-bad.example/x"), detector)
    openphish.write_text("https://new-bad.example/x\n")
    os.utime(openphish, (1, 1))
    assert "URL_FEED_HIT" in fired(sms("https://new-bad.example/x"), detector)


def test_identity_on_a_feed_is_refused(tmp_path: Path) -> None:
    feed = tmp_path / "openphish.txt"
    feed.write_text("https://flowers-by-ann.example/\n")
    index = FeedIndex([FeedSpec(path=feed)])
    reason = is_lookalike_identity("flowers-by-ann.example", None, feeds=index)
    assert reason is not None and "openphish.txt" in reason


def test_feed_must_exist() -> None:
    from aupguard.errors import ConfigError

    with pytest.raises(ConfigError, match="does not exist"):
        FeedIndex([FeedSpec(path=Path("/nonexistent/feed.txt"))])


def test_sender_display_name_claiming_a_brand() -> None:
    from aupguard.detectors.senderbrand import SenderBrandDetector

    def sb(from_field: str, tenant: str | None = None) -> set[str]:
        raw = f"From: {from_field}\r\nTo: b@c.example\r\nSubject: s\r\n\r\nhello\r\n".encode()
        event = email_event(raw, "t")
        if tenant:
            from dataclasses import replace

            event = replace(event, tenant=tenant)
        found = SenderBrandDetector().check(views_for(event), Context(directory=_directory()))
        return {s.name for s in found}

    assert sb('"PayPal Service" <service@paypa1-secure.example>') == {"SENDER_BRAND_MISMATCH"}
    assert sb('"PayPal" <service@mail.paypal.com>') == set()
    assert sb('"Ann Smith" <ann@flowers.example>') == set()
    assert sb('"AcmeBank Alerts" <x@other.example>', tenant="globex") == {"SENDER_BRAND_MISMATCH"}
    assert sb('"AcmeBank Alerts" <x@mail.acmebank.example>', tenant="acme") == set()
