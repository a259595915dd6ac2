"""Cost of the origin-forgery checks per e-mail, against the compat32 parse in the same run.

    .venv/bin/python bench/origin.py [MAIL_DIR] [--limit N] [--repeat R]

Ownership: the sender_ownership, impersonation and received_route detectors on parsed
views, with a directory of 2,000 tenants. Authentication: SPF, DKIM, ARC and DMARC with
every DNS answer already in the cache, (a) on mail signed here with RSA-2048 and Ed25519
keys (the crypto runs), (b) on the corpus mail (no keys published: DKIM stops at the key).
The machine is shared, so the numbers are noisy: read the ratios.
"""

from __future__ import annotations

import argparse
import base64
import time
from collections.abc import Callable
from email.parser import BytesParser
from email.policy import compat32
from pathlib import Path

import dkim
import nacl.signing
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from aupguard.auth.resolver import CachingResolver, ZoneResolver
from aupguard.auth.results import Envelope, authenticate
from aupguard.detectors.context import Context
from aupguard.detectors.impersonation import ImpersonationDetector
from aupguard.detectors.received_route import ReceivedRouteDetector
from aupguard.detectors.sender_ownership import SenderOwnershipDetector
from aupguard.enforce.identities import Identity, IdentityKind, IdentitySnapshot
from aupguard.events.email import EmailView
from aupguard.events.model import Channel, EmailContent, Event

DEFAULT = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "spamassassin-public"


def load(folder: Path, limit: int) -> list[bytes]:
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.name[0].isdigit())
    return [p.read_bytes() for p in files[:limit]]


def directory() -> IdentitySnapshot:
    ids = [Identity("acme", IdentityKind.DOMAIN, "acme.example", True)]
    for i in range(2000):
        ids += [
            Identity(f"t{i}", IdentityKind.DOMAIN, f"tenant{i}.example", True),
            Identity(f"t{i}", IdentityKind.BRAND, f"Brand Number {i}", True),
            Identity(f"t{i}", IdentityKind.IP_RANGE, f"10.{i // 250}.{i % 250}.0/24", True),
        ]
    return IdentitySnapshot(ids)


def per_item(fn: Callable[[bytes], object], items: list[bytes], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for raw in items:
            fn(raw)
        best = min(best, (time.perf_counter() - started) / len(items))
    return best


def signed_set(n: int) -> tuple[list[bytes], ZoneResolver]:
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = rsa_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    der = rsa_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    ed = nacl.signing.SigningKey.generate()
    ed_public = base64.b64encode(bytes(ed.verify_key)).decode()
    zone = ZoneResolver.from_text(
        f"""
acme.example TXT "v=spf1 include:_spf.platform.example -all"
_spf.platform.example TXT "v=spf1 ip4:198.51.100.0/24 ip4:192.0.2.0/24 ~all"
rsa._domainkey.acme.example TXT "v=DKIM1; k=rsa; p={base64.b64encode(der).decode()}"
ed._domainkey.acme.example TXT "v=DKIM1; k=ed25519; p={ed_public}"
_dmarc.acme.example TXT "v=DMARC1; p=reject; rua=mailto:d@acme.example"
"""
    )
    out = []
    for i in range(n):
        body = f"Hello customer {i},\r\n\r\nYour order has shipped.\r\n" * 20
        raw = (
            f"From: Acme <news@acme.example>\r\nTo: c{i}@customer.example\r\n"
            f"Subject: Order {i}\r\nMessage-ID: <{i}@acme.example>\r\n"
            f"Date: Mon, 2 Nov 2026 12:00:00 +0000\r\n\r\n{body}"
        ).encode()
        if i % 2:
            sig = dkim.sign(raw, b"rsa", b"acme.example", pem)
        else:
            secret = base64.b64encode(bytes(ed))
            sig = dkim.sign(
                raw, b"ed", b"acme.example", secret, signature_algorithm=b"ed25519-sha256"
            )
        out.append(sig + raw)
    return out, zone


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--limit", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    mails = load(args.corpus, args.limit) if args.corpus.is_dir() else []
    signed, zone = signed_set(200)
    if not mails:
        print(f"corpus {args.corpus} not found: using the {len(signed)} signed messages only")
        mails = signed
    parser = BytesParser(policy=compat32)
    base = per_item(parser.parsebytes, mails, args.repeat)
    print(f"{len(mails)} messages; baseline compat32 parse: {base * 1e3:.3f} ms/message")

    ctx = Context(directory=directory())
    detectors = [SenderOwnershipDetector(), ImpersonationDetector(), ReceivedRouteDetector()]

    def views(raw: bytes) -> EmailView:
        content = EmailContent(raw, mail_from="bounce@acme.example", helo="out.acme.example")
        view = EmailView(Event("b", Channel.EMAIL, content, tenant="acme"))
        _ = view.headers  # parsing is the foundation's budget, not ours
        return view

    def ownership(items: list[bytes], label: str, reference: float) -> None:
        prepared = [views(raw) for raw in items]
        best = float("inf")
        for _ in range(args.repeat):
            for v in prepared:
                v.memo.clear()
            started = time.perf_counter()
            for v in prepared:
                for d in detectors:
                    d.check(v, ctx)
            best = min(best, (time.perf_counter() - started) / len(prepared))
        print(
            f"ownership (3 detectors, parsed views), {label}: {best * 1e3:.3f} ms/message "
            f"= {best / reference:.2f} x baseline  [budget 0.3 ms]"
        )

    ownership(mails, "corpus mail judged as submissions (every hop counts)", base)
    ownership(signed, "generated submissions", base)

    cache = CachingResolver(zone)
    env = Envelope("198.51.100.7", "bounce@acme.example", "out.acme.example")

    def auth(raw: bytes) -> object:
        return authenticate(raw, "acme.example", env, cache, time.monotonic() + 0.5)

    results = [auth(raw) for raw in signed]  # fills the cache
    passed = sum(r.dmarc.result == "pass" for r in results)  # type: ignore[attr-defined]
    cost = per_item(auth, signed, args.repeat)
    sbase = per_item(parser.parsebytes, signed, args.repeat)
    print(
        f"full authentication, cached DNS, signed mail (RSA-2048/Ed25519, {passed}/"
        f"{len(signed)} DMARC pass): {cost * 1e3:.3f} ms/message = {cost / sbase:.2f} x "
        f"their parse  [budget 1 ms]"
    )
    if mails is not signed:
        for raw in mails:
            auth(raw)
        cost = per_item(auth, mails, args.repeat)
        print(
            f"full authentication, cached DNS, corpus mail: {cost * 1e3:.3f} ms/message "
            f"= {cost / base:.2f} x baseline"
        )
    print(f"DNS cache: {cache.hits} hits, {cache.misses} misses")


if __name__ == "__main__":
    main()
