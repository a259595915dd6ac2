"""The fast address parsers give exactly what email.utils gives."""

from __future__ import annotations

import email.utils
from email.parser import BytesParser
from email.policy import compat32

import pytest

from aupguard.events.addresses import addresses, parse_address
from tests.conftest import corpus

SAMPLES = [
    "a@example.com",
    "  a@example.com ",
    "Robert Elz <kre@munnari.OZ.AU>",
    "Robert   Elz  <kre@munnari.OZ.AU>",
    '"Tim Chapman" <timc@2ubh.com>',
    '"Tim  Chapman"   <timc@2ubh.com>',
    "\"'zzzzteana@yahoogroups.com'\" <zzzzteana@yahoogroups.com>",
    '"Quinn, Dell" <quinnd@fhs.ie>',
    '"Andrey G. Sergeev (AKA Andris)" <andris@aernet.ru>',
    '"Reza B\\"Far" <r@x.com>',
    "harley@argote.ch (Robert Harley)",
    "undisclosed-recipient: ;",
    '"unclosed <a@b.c>',
    '"" <a@b.c>',
    '"Name" <a@b.c> trailing',
    '"Name" <a b@c.d>',
    "<fork@xent.com>",
    "",
    "Name <a@b.c",
]
LISTS = [
    "Chris Haun <chris@noskillz.com>, <fork@spamassassin.taint.org>",
    '"Kiall Mac Innes" <kiall@redpie.com>, "ILUG" <ilug@linux.ie>',
    '"Adam L. Beberg" <beberg@mithral.com>, Tom <tom@slack.net>, <fork@xent.com>',
    '"Doe, John" <j@x.com>, "Roe, Jane" <r@x.com>,',
    'a@x.com, "odd <b@x.com>',
    "harley@argote.ch (Robert Harley), fork@spamassassin.taint.org",
    "group: a@x.com, b@x.com;",
    ", , a@x.com",
]


@pytest.mark.parametrize("value", SAMPLES)
def test_parse_address_matches_the_stdlib(value: str) -> None:
    assert parse_address(value) == email.utils.parseaddr(value)


@pytest.mark.parametrize("value", LISTS + SAMPLES)
def test_address_lists_match_the_stdlib(value: str) -> None:
    expected = [a for _, a in email.utils.getaddresses([value]) if a]
    assert addresses([value]) == expected


def test_every_address_field_of_the_spam_corpus_matches_the_stdlib() -> None:
    root = corpus("spamassassin-public")
    parse = BytesParser(policy=compat32).parsebytes
    fields = 0
    for path in sorted(p for p in root.rglob("*") if p.is_file())[:4000]:
        msg = parse(path.read_bytes(), headersonly=True)
        for name in ("From", "To", "Cc", "Reply-To"):
            for value in msg.get_all(name) or []:
                value = str(value)
                fields += 1
                assert parse_address(value) == email.utils.parseaddr(value), value
                expected = [a for _, a in email.utils.getaddresses([value]) if a]
                assert addresses([value]) == expected, value
    assert fields > 3_000
