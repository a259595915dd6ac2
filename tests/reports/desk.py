"""Builders for the store-backed report tests: a Decider with a tenant, mail it sent, a sink."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from aupguard.decide import Decider, Decision
from aupguard.detectors.base import Detector
from aupguard.enforce.dnsproof import expected_token
from aupguard.enforce.identities import IdentityKind
from aupguard.enforce.tenants import Proof, add_identity, create_tenant, verify_identity
from aupguard.events.model import Channel, EmailContent, Event
from aupguard.reports.intake import Authenticator, Receipt, take_in
from aupguard.reports.model import IntakeContext
from aupguard.reports.sink import StoreSink
from aupguard.rules.model import Ruleset
from aupguard.store.models import CaseItem, ReportRow
from tests.enforce.helpers import T0, decider
from tests.reports.helpers import ENROLLED, dns, shipped_mapping

AUTH = Authenticator(ENROLLED, dns)
REPORTED = T0 + timedelta(hours=1)  # when the reports arrive: an hour after the mail left


@dataclass
class Desk:
    decider: Decider
    sink: StoreSink

    def take(
        self,
        raw: bytes,
        *,
        at: datetime = REPORTED,
        source_ip: str | None = "192.0.2.25",
        authenticated: bool = True,
    ) -> Receipt:
        ctx = self.context(at=at, source_ip=source_ip)
        return take_in(raw, ctx, self.sink, authenticator=AUTH if authenticated else None)

    def context(
        self, *, at: datetime = REPORTED, source_ip: str | None = "192.0.2.25"
    ) -> IntakeContext:
        return IntakeContext(
            received=at,
            mapping=shipped_mapping(),
            source_ip=source_ip,
            clauses=frozenset(self.decider.engine.document.by_id),
        )

    def row(self, reference: str) -> ReportRow:
        with self.decider.store.read() as s:
            row = s.execute(select(ReportRow).where(ReportRow.reference == reference)).scalar()
            assert row is not None, reference
            return row

    def items(self, kind: str = "report") -> int:
        with self.decider.store.read() as s:
            q = select(func.count(CaseItem.id)).where(CaseItem.kind == kind)
            return int(s.execute(q).scalar_one())


def desk(
    db_url: str,
    tmp: Path,
    tenants: tuple[str, ...] = ("acme",),
    ruleset: Ruleset | None = None,
    detectors: Sequence[type[Detector]] = (),
) -> Desk:
    d = decider(db_url, tmp, ruleset, detectors)
    key = d.settings.secret("token")
    with d.store.write() as s:
        for tenant in tenants:
            create_tenant(
                s, tenant, tenant.title(), actor="test", contact_email=f"ops@{tenant}.example"
            )
            row = add_identity(s, tenant, IdentityKind.DOMAIN, f"{tenant}.example", actor="test")
            proof = Proof(
                txt_lookup=lambda name, t=tenant: [expected_token(key, t, f"{t}.example")],
                token_key=key,
            )
            verify_identity(s, row.id, proof, actor="test")
    d.reload()
    shipped_mapping()  # loaded once, before anything is timed
    sink = StoreSink(
        d.store,
        d.ruleset,
        d.engine.document,
        d.settings,
        enrollment=ENROLLED,
        directory=lambda: d.directory,
        state=d.state,
    )
    return Desk(d, sink)


def mail(n: int, tenant: str = "acme", campaign: str = "spring-sale") -> bytes:
    return (
        f"From: Shop <news@{tenant}.example>\nTo: user{n}@isp.example\n"
        f"Subject: Spring sale {n}\nMessage-ID: <m{n}.{campaign}@{tenant}.example>\n"
        f"Date: Tue, 10 Nov 2026 09:00:00 +0000\n\nBuy now at https://shop.{tenant}.example/\n"
    ).encode()


def send(d: Decider, n: int, tenant: str = "acme", ip: str = "198.51.100.7") -> Decision:
    """Tenant `tenant` sends message n through the Decider, so it is in the send log."""
    event = Event(
        id=f"{tenant}-mail-{n}",
        channel=Channel.EMAIL,
        tenant=tenant,
        time=T0 + timedelta(minutes=n % 50),
        content=EmailContent(mail(n, tenant), client_ip=ip, rcpt_to=(f"user{n}@isp.example",)),
        campaign="spring-sale",
    )
    return d.decide(event)


def as_sent(n: int, decision: Decision | None = None, tenant: str = "acme") -> str:
    """The message as the recipient got it: our feedback header stamped, a Received line."""
    token = f"X-Aupguard-Feedback: {decision.feedback_token}\n" if decision else ""
    return (
        "Received: from out1.platform.example (out1.platform.example [198.51.100.7])\n"
        "  by mx.isp.example; Tue, 10 Nov 2026 09:01:00 +0000\n" + token + mail(n, tenant).decode()
    )
