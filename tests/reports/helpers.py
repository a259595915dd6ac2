"""Shared builders for the report tests: a context with the shipped mapping, sample mail."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from functools import cache

import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from aupguard.reports.authenticate import Enrollment, Provider
from aupguard.reports.model import IntakeContext
from aupguard.rules.load import load_ruleset

RECEIVED = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@cache
def shipped_mapping() -> dict[str, str]:
    return dict(load_ruleset().report_mapping)


def context(**kw: object) -> IntakeContext:
    kw.setdefault("mapping", shipped_mapping())
    kw.setdefault("received", RECEIVED)
    return IntakeContext(**kw)  # type: ignore[arg-type]


TOKEN = "agf1-aaaaaaaaaaaaaaaa-bbbbbbbbbbbbb"


def arf_message(
    *,
    feedback: str = "Feedback-Type: abuse\nUser-Agent: TestFBL/1.0\nVersion: 1\n",
    original: str | None = None,
    sender: str = "fbl@isp.example",
    message_id: str = "<report-1@isp.example>",
) -> bytes:
    """A minimal RFC 5965 report around `original` (a message our platform sent)."""
    original = original or (
        "From: Shop <news@tenant.example>\n"
        "To: alice@isp.example\n"
        "Subject: Big sale 2026\n"
        "Message-ID: <campaign-7-alice@tenant.example>\n"
        f"X-Aupguard-Feedback: {TOKEN}\n"
        "Received: from out1.platform.example (out1.platform.example [198.51.100.7])\n"
        "  by mx.isp.example; Fri, 20 Nov 2026 10:00:00 +0000\n"
        "\n"
        "Buy now at https://shop.tenant.example/sale\n"
    )
    return (
        f"From: {sender}\nTo: abuse@platform.example\nSubject: FBL report\n"
        f"Message-ID: {message_id}\nMIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=feedback-report; boundary="b1"\n\n'
        "--b1\nContent-Type: text/plain\n\nThis is an abuse report.\n\n"
        f"--b1\nContent-Type: message/feedback-report\n\n{feedback}\n"
        f"--b1\nContent-Type: message/rfc822\n\n{original}\n--b1--\n"
    ).encode()


ENROLLED = Enrollment(providers=[Provider(name="ISP FBL", dkim_domains=["isp.example"])])


@cache
def _key() -> tuple[bytes, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)


def signed(raw: bytes, domain: str = "isp.example") -> bytes:
    signature = dkim.sign(
        raw,
        selector=b"fbl",
        domain=domain.encode(),
        privkey=_key()[0],
        include_headers=[b"from", b"to", b"subject", b"message-id"],
    )
    return signature + raw


def dns(name: str) -> bytes | None:
    """An offline resolver: the key is published for isp.example and elsewhere.example."""
    records = {f"fbl._domainkey.{d}": _key()[1] for d in ("isp.example", "elsewhere.example")}
    return records.get(name)
