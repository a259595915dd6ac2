"""dkimpy's test messages and keys, verified through our resolver: RSA and Ed25519.

The expected outcomes are those of dkimpy's own tests (dkim/tests/test_dkim*.py): signed
messages verify, altered bodies and added From fields fail, bad key records never pass.
"""

from __future__ import annotations

import base64
from pathlib import Path

import dkim
import nacl.signing
import pytest

from aupguard.auth.dkim import verify_dkim
from aupguard.auth.resolver import ZoneResolver
from tests.conftest import corpus

pytestmark = pytest.mark.corpora
CANONS = [(h, b) for h in (b"simple", b"relaxed") for b in (b"simple", b"relaxed")]
# The key Gmail published at 20120113._domainkey.gmail.com, as dkimpy's test_dkim.py has it.
GMAIL_20120113 = (
    "k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA1Kd87/UeJjenpabgbFwh"
    "+eBCsSTrqmwIYYvywlbhbqoo2DymndFkbjOVIPIldNs/m40KF+yzMn1skyoxcTUGCQ"
    "s8g3FgD2Ap3ZB5DekAo5wMmk4wimDO+U8QzI3SD07y2+07wlNWwIt8svnxgdxGkVbb"
    "hzY8i+RQ9DpSVpPbF7ykQxtKXkv/ahW3KjViiAH+ghvvIhkx4xYSIc9oSwVmAl5Oct"
    "MEeWUwg8Istjqz8BZeTWbf41fbNhte7Y+YqZOwq1Sd0DbvYAD9NOZK9vlfuac0598H"
    "Y+vtSBczUiKERHv1yRbcaQtZFh5wtiRrN04BLUTD21MycBX5jYchHjPY/wIDAQAB"
)


@pytest.fixture(scope="module")
def data() -> Path:
    return corpus("dkimpy-testdata")


def zone(**records: str) -> ZoneResolver:
    return ZoneResolver({name.replace("__", "."): [("TXT", v)] for name, v in records.items()})


def key_zone(
    data: Path, record_file: str, name: str = "test._domainkey.example.com"
) -> ZoneResolver:
    return ZoneResolver({name: [("TXT", (data / record_file).read_text().strip())]})


def results(raw: bytes, resolver: ZoneResolver) -> list[str]:
    return [r.result for r in verify_dkim(raw, resolver)]


@pytest.mark.parametrize("record", ["test.txt", "test2.txt"], ids=["explicit-k", "implicit-k"])
@pytest.mark.parametrize("canon", CANONS, ids=lambda c: b"/".join(c).decode())
def test_rsa_signed_message_passes(data: Path, record: str, canon: tuple[bytes, bytes]) -> None:
    message, key = (data / "test.message").read_bytes(), (data / "test.private").read_bytes()
    sig = dkim.sign(message, b"test", b"example.com", key, canonicalize=canon)
    assert results(sig + message, key_zone(data, record)) == ["pass"]
    assert results(sig + message + b"foo", key_zone(data, record)) == ["fail"]


def test_added_from_field_fails(data: Path) -> None:
    message, key = (data / "test.message").read_bytes(), (data / "test.private").read_bytes()
    sig = dkim.sign(message, b"test", b"example.com", key)
    head, body = message.split(b"\n\n", 1)
    extra = b'From: "Resident Evil" <sales@spammer.com>'
    assert results(sig + head + b"\r\nX-Foo: bar\n\n" + body, key_zone(data, "test.txt")) == [
        "pass"
    ]
    assert results(sig + head + b"\r\n" + extra + b"\n\n" + body, key_zone(data, "test.txt")) == [
        "fail"
    ]


def test_mbox_message_with_received_signed_passes(data: Path) -> None:
    message, key = (data / "message.mbox").read_bytes(), (data / "test.private").read_bytes()
    signer = dkim.DKIM(message)
    signer.should_not_sign.remove(b"received")
    sig = signer.sign(b"test", b"example.com", key, include_headers=signer.all_sign_headers())
    # The mbox message also carries kitterman.com's signature, whose key is not published here.
    assert results(sig + message, key_zone(data, "test.txt")) == ["pass", "permerror"]


def test_gmail_signed_message_with_degenerate_folding_passes(data: Path) -> None:
    resolver = ZoneResolver({"20120113._domainkey.gmail.com": [("TXT", GMAIL_20120113)]})
    assert results((data / "test2.message").read_bytes(), resolver) == ["pass"]


@pytest.mark.parametrize("canon", CANONS, ids=lambda c: b"/".join(c).decode())
def test_ed25519_signed_message_passes(data: Path, canon: tuple[bytes, bytes]) -> None:
    message, key = (data / "ed25519test.msg").read_bytes(), (data / "ed25519test.key").read_bytes()
    sig = dkim.sign(
        message,
        b"test",
        b"example.com",
        key,
        canonicalize=canon,
        signature_algorithm=b"ed25519-sha256",
    )
    resolver = key_zone(data, "ed25519test.dns")
    assert results(sig + message, resolver) == ["pass"]
    assert results(sig + message + b"foo", resolver) == ["fail"]


def test_exim_ed25519_message_passes(data: Path) -> None:
    resolver = key_zone(data, "eximtest.dns", "sed._domainkey.test.ex")
    assert results((data / "ed25519test2.msg").read_bytes(), resolver) == ["pass"]


def test_rfc8463_example_passes_both_signatures(data: Path) -> None:
    # RFC 8463 appendix A: the Ed25519 key is RFC 8032 7.1 test 1, the RSA key is test.txt.
    secret = base64.b64decode((data / "rfc8032_7_1.key").read_text().strip())
    public = base64.b64encode(bytes(nacl.signing.SigningKey(secret).verify_key)).decode()
    resolver = ZoneResolver(
        {
            "brisbane._domainkey.football.example.com": [
                ("TXT", f"v=DKIM1; k=ed25519; p={public}")
            ],
            "test._domainkey.football.example.com": [("TXT", (data / "test.txt").read_text())],
        }
    )
    got = verify_dkim((data / "rfc6376.signed.msg").read_bytes(), resolver)
    assert [(r.algorithm, r.result) for r in got] == [
        ("ed25519-sha256", "pass"),
        ("rsa-sha256", "pass"),
    ]


@pytest.mark.parametrize("record", ["badk.txt", "badversion.txt", "test_bad.txt"])
def test_broken_key_records_never_pass(data: Path, record: str) -> None:
    message, key = (data / "test.message").read_bytes(), (data / "test.private").read_bytes()
    sig = dkim.sign(message, b"test", b"example.com", key)
    got = results(sig + message, key_zone(data, record))
    assert len(got) == 1 and got[0] in ("fail", "permerror")


def test_missing_key_is_not_a_pass(data: Path) -> None:
    message, key = (data / "test.message").read_bytes(), (data / "test.private").read_bytes()
    sig = dkim.sign(message, b"test", b"example.com", key)
    assert results(sig + message, ZoneResolver({})) == ["permerror"]


def test_message_without_from_cannot_be_signed(data: Path) -> None:
    with pytest.raises(dkim.ParameterError):
        dkim.sign(
            (data / "test_nofrom.message").read_bytes(),
            b"test",
            b"example.com",
            (data / "test.private").read_bytes(),
        )
    assert verify_dkim((data / "test_nofrom.message").read_bytes(), ZoneResolver({})) == ()
