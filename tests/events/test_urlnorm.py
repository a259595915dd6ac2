"""URL normalisation: IDNA both ways, public suffixes offline, redirects in queries."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from aupguard.events.submission import as_submitted
from aupguard.events.urlnorm import normalize, split_host, url_key


def test_idna_both_ways_and_private_suffixes() -> None:
    h = split_host("xn--pypal-4ve.com")
    assert h.unicode == "pаypal.com" and h.punycode and h.registrable == "pаypal.com"
    assert split_host("login.evil.workers.dev").registrable == "evil.workers.dev"
    assert split_host("www.bbc.co.uk").registrable == "bbc.co.uk"
    assert split_host("192.168.0.1").is_ip and split_host("3232235521").is_ip


def test_redirects_shorteners_defanged() -> None:
    url = normalize("https://www.google.com/url?q=https://evil.example/login&sa=D")
    assert url is not None and url.redirects_to == ("https://evil.example/login",)
    assert normalize("https://bit.ly/3abc").shortener  # type: ignore[union-attr]
    defanged = normalize("hxxps://evil[.]example/a")
    assert defanged is not None and defanged.host.ascii == "evil.example"
    assert normalize("mailto:a@b.example") is None


def test_url_key_is_canonical() -> None:
    a, b = normalize("HTTP://Evil.Example/a/"), normalize("https://evil.example/a")
    assert a is not None and b is not None and url_key(a) == url_key(b)


@given(st.text(max_size=300))
def test_normalize_never_raises(text: str) -> None:
    normalize(text)
    normalize("http://" + text)


def test_as_submitted_keeps_only_sender_fields() -> None:
    raw = (
        b"From MAILER-DAEMON Mon Jan  1 00:00:00 2024\n"
        b"Received: from x by y\nFrom: a@b.example\nTo: phishing@pot\nSubject: hi\n"
        b"X-Spam-Status: yes\nContent-Type: text/plain\n\nwrite to jm@spamassassin.taint.org\n"
    )
    out = as_submitted(raw)
    assert out.startswith(b"From: a@b.example\nSubject: hi\nContent-Type: text/plain\n")
    assert b"To: recipient@example.com\n" in out
    assert b"Received" not in out and b"X-Spam" not in out and b"phishing@pot" not in out
    assert b"jm@example.com" in out
