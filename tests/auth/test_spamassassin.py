"""SpamAssassin's DKIM and DMARC test mails (t/data/dkim, nice|spam/dkim|dmarc).

Their keys and policies live only in public DNS (sa-test.spamassassin.org,
dmarc1..4.spamassassin.org, testing.dkim.org), which a test cannot reach. So:
- DKIM: every signature is parsed and, with no key to be had, none may pass;
- DMARC: the nine mails run against a zone *reconstructed* from their names and the
  expectations of SpamAssassin's t/dmarc.t (p=none / quarantine / reject, strict
  alignment for dmarc4, an SPF record for the sending host 64.142.3.173); the results
  must be those t/dmarc.t expects.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aupguard.auth.dkim import verify_dkim
from aupguard.auth.resolver import ZoneResolver
from aupguard.auth.results import Envelope, authenticate
from aupguard.events.email import EmailView
from aupguard.events.received import parse_received
from aupguard.events.sources import email_event
from tests.conftest import corpus

pytestmark = pytest.mark.corpora

RECONSTRUCTED = """
dmarc1.spamassassin.org TXT "v=spf1 ip4:64.142.3.173 -all"
dmarc2.spamassassin.org TXT "v=spf1 ip4:64.142.3.173 -all"
dmarc3.spamassassin.org TXT "v=spf1 ip4:64.142.3.173 -all"
dmarc4.spamassassin.org TXT "v=spf1 ip4:64.142.3.173 -all"
_dmarc.dmarc1.spamassassin.org TXT "v=DMARC1; p=none"
_dmarc.dmarc2.spamassassin.org TXT "v=DMARC1; p=quarantine"
_dmarc.dmarc3.spamassassin.org TXT "v=DMARC1; p=reject"
_dmarc.dmarc4.spamassassin.org TXT "v=DMARC1; p=reject; adkim=s; aspf=s"
"""
# file -> (DMARC result, policy that applies); from t/dmarc.t's patterns and anti-patterns
EXPECTED = {
    "nice/dmarc/noneok.eml": ("pass", "none"),
    "nice/dmarc/quarok.eml": ("pass", "quarantine"),
    "nice/dmarc/rejectok.eml": ("pass", "reject"),
    "nice/dmarc/strictrejectok.eml": ("pass", "reject"),
    "spam/dmarc/noneko.eml": ("fail", "none"),
    "spam/dmarc/quarko.eml": ("fail", "quarantine"),
    "spam/dmarc/rejectko.eml": ("fail", "reject"),
    "spam/dmarc/strictrejectko.eml": ("fail", "reject"),
    "spam/dmarc/nodmarc.eml": ("none", "none"),
}


@pytest.fixture(scope="module")
def sa() -> Path:
    return corpus("spamassassin-testdata")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_dmarc_mails_against_reconstructed_zone(sa: Path, name: str) -> None:
    view = EmailView(email_event((sa / name).read_bytes(), name))
    top = parse_received(view.header_all("Received"))[0]
    mail_from = (view.header("Return-Path") or "").strip("<> ")
    resolver = ZoneResolver.from_text(RECONSTRUCTED)
    domain = view.from_address[1].rpartition("@")[2]
    got = authenticate(view.raw, domain, Envelope(top.from_ip, mail_from, top.from_host), resolver)
    assert (got.dmarc.result, got.dmarc.policy) == EXPECTED[name], got


def test_dkim_mails_parse_and_never_pass_without_keys(sa: Path) -> None:
    files = sorted((sa / "dkim").glob("*.msg")) + sorted((sa / "nice" / "dkim").iterdir())
    assert len(files) >= 54
    signed = 0
    for path in files:
        for result in verify_dkim(path.read_bytes(), ZoneResolver({})):
            signed += 1
            assert result.result in ("permerror", "fail"), (path.name, result)
            assert result.domain or result.result == "permerror", (path.name, result)
    assert signed >= 40
