"""Builders for enforcement tests: a Decider on a real database, tenants, events."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aupguard.aup.load import load_document
from aupguard.decide import Decider
from aupguard.detectors.base import Detector, Evidence, Finding, SignalSpec
from aupguard.detectors.context import Context
from aupguard.detectors.eicar import EICAR, EicarDetector
from aupguard.detectors.registry import Registry
from aupguard.enforce.identities import IdentityKind
from aupguard.enforce.tenants import add_identity, create_tenant
from aupguard.engine import Engine
from aupguard.events.model import Channel, Event, MessageContent
from aupguard.events.views import Views
from aupguard.rules.load import load_ruleset
from aupguard.rules.model import Ruleset
from aupguard.settings import Settings
from aupguard.store.db import Store

T0 = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)


class FakeModel(Detector):
    """A statistical detector: 'lottery' in the text looks like phishing to it."""

    name = "fake_model"
    description = "Test stand-in for a trained model."
    signals = (SignalSpec("MODEL_PHISH", "a statistical phishing score"),)

    def check(self, view: Views, ctx: Context) -> Sequence[Finding]:
        if "lottery" in view.tenant_text:
            return [self.signal("MODEL_PHISH", 0.8, Evidence("text", "lottery"))]
        return []


def ruleset_with_model() -> Ruleset:
    data = load_ruleset().model_dump(mode="json")
    data["clauses"]["phishing"]["signals"] = {"MODEL_PHISH": 0.8}
    return Ruleset.model_validate(data)


def decider(
    db_url: str,
    tmp: Path,
    ruleset: Ruleset | None = None,
    detectors: Sequence[type[Detector]] = (),
) -> Decider:
    store = Store(db_url)
    rs = ruleset or ruleset_with_model()
    engine = Engine(rs, load_document(), Registry([EicarDetector, FakeModel, *detectors]))
    return Decider(store, ruleset=rs, engine=engine, settings=Settings(home=tmp / "home"))


def add_tenant(d: Decider, tenant: str = "acme", email: str | None = "abuse@acme.example") -> None:
    with d.store.write() as s:
        create_tenant(s, tenant, tenant.title(), actor="test", contact_email=email)
        add_identity(s, tenant, IdentityKind.NUMBER, "+15550100001", actor="test")
    d.reload()


def sms(event_id: str, text: str, tenant: str = "acme", minutes: int = 0) -> Event:
    return Event(
        id=event_id,
        channel=Channel.SMS,
        tenant=tenant,
        time=T0 + timedelta(minutes=minutes),
        content=MessageContent(text, sender_id="+15550100001", recipient="+15550199999"),
    )


EICAR_TEXT = EICAR.decode()
