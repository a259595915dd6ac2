"""Opt-outs are durable in the database: a fresh process (new memory state) still blocks."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from aupguard.aup.load import load_document
from aupguard.decide import Decider
from aupguard.detectors.registry import Registry
from aupguard.detectors.sms_consent import SmsConsentDetector
from aupguard.enforce.tenants import create_tenant
from aupguard.engine import Engine
from aupguard.rules.load import load_ruleset
from aupguard.settings import Settings
from aupguard.store.db import Store
from tests.detectors.test_sms_consent import NOON_SF, inbound, outbound


def make(db_url: str, tmp: Path) -> Decider:
    doc = load_document()
    rs = load_ruleset(document=doc)
    engine = Engine(rs, doc, Registry([SmsConsentDetector]))
    return Decider(Store(db_url), ruleset=rs, engine=engine, settings=Settings(home=tmp / "h"))


def test_stop_survives_a_restart_and_start_lifts_it(db_url: str, tmp_path: Path) -> None:
    first = make(db_url, tmp_path)
    with first.store.write() as s:
        create_tenant(s, "t1", "T1", actor="test")
    first.decide(inbound("in-1", NOON_SF, "STOP"))
    first.store.dispose()

    again = make(db_url, tmp_path)  # a new process: its memory state starts empty
    blocked = again.decide(outbound("out-1", NOON_SF + timedelta(minutes=5)))
    assert blocked.action == "block" and blocked.verdict is not None
    assert [c.clause for c in blocked.verdict.violated] == ["message-abuse"]
    again.decide(inbound("in-2", NOON_SF + timedelta(minutes=6), "START"))
    third = make(db_url, tmp_path)
    assert third.decide(outbound("out-2", NOON_SF + timedelta(minutes=7))).action == "allow"
