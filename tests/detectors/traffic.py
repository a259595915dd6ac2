"""Simulated traffic for the message-abuse tests: a personalised campaign and normal tenants.

`drive` is the small stand-in for the decision component: evaluate, then apply the
observations once per event id, in event-time order.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta

from aupguard.detectors.base import Detector, Evidence, Finding, SignalSpec
from aupguard.detectors.context import Context
from aupguard.engine import Engine
from aupguard.events.email import EmailView
from aupguard.events.model import Channel, EmailContent, Event
from aupguard.events.views import Views
from aupguard.rules.verdict import Verdict
from aupguard.state.memory import MemoryState
from aupguard.state.redis import RedisState

T0 = datetime(2026, 11, 2, 9, 0, 0, tzinfo=UTC)
FIRST = ["Ana", "Bo", "Chen", "Dmitri", "Efua", "Farid", "Grace", "Hiro", "Ines", "Jon"]
LAST = ["Silva", "Nguyen", "Okafor", "Schmidt", "Haddad", "Kowalski", "Tanaka", "Moreau"]
SUPPORT = [
    "Thanks for getting back to us about your ticket.",
    "I have checked the order and the parcel left our warehouse yesterday.",
    "Could you send a photo of the damaged item so we can arrange a replacement?",
    "Your refund was approved and should reach your card within five working days.",
    "The technician can visit on Thursday morning or Friday afternoon.",
    "I am sorry for the delay; our team was short-staffed this week.",
    "Please confirm the serial number printed under the device.",
    "We have updated the delivery address on your account.",
    "Your subscription renews on the first of next month unless you change the plan.",
    "I have escalated the case to our billing specialists.",
    "The warranty covers the battery for two years from purchase.",
    "Let me know if the new password reset link works for you.",
    "We can offer a store credit if you prefer that to a refund.",
    "Your appointment has been moved to the time you asked for.",
    "The invoice you asked for is attached to your customer portal.",
]


class FakeAuth(Detector):
    """Stands in for the origin checks: AUTH_NOT_ALIGNED when the test header says so."""

    name = "fake_auth"
    description = "Test double of the origin checks' AUTH_NOT_ALIGNED signal."
    channels = frozenset({Channel.EMAIL})
    signals = (SignalSpec("AUTH_NOT_ALIGNED", "SPF/DKIM/DMARC not aligned (test double)."),)

    def check(self, view: Views, ctx: Context) -> Sequence[Finding]:
        if isinstance(view, EmailView) and view.header("X-Test-Auth") == "fail":
            return [self.signal("AUTH_NOT_ALIGNED", 1.0, Evidence("headers", detail="test"))]
        return []


def mail(
    event_id: str,
    tenant: str,
    sender: str,
    rcpt: str,
    when: datetime,
    subject: str,
    body: str,
    headers: str = "",
    campaign: str | None = None,
) -> Event:
    raw = (
        f"From: {sender}\r\nTo: {rcpt}\r\nSubject: {subject}\r\nMIME-Version: 1.0\r\n{headers}"
        f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    ).encode()
    content = EmailContent(raw, mail_from=sender, rcpt_to=(rcpt,))
    return Event(
        event_id,
        Channel.EMAIL,
        content,
        when,
        tenant,
        sender=sender,
        recipients=(rcpt,),
        campaign=campaign,
    )


def campaign(
    n: int = 5000,
    minutes: float = 10,
    *,
    one_click: bool = False,
    auth_ok: bool = False,
    tenant: str = "blast",
    start: datetime = T0,
) -> Iterator[Event]:
    """n near-identical personalised offers to distinct recipients, evenly over `minutes`."""
    rng = random.Random(7)
    headers = "" if auth_ok else "X-Test-Auth: fail\r\n"
    if one_click:
        headers += (
            "List-Unsubscribe: <https://blast.example/u/TOKEN>, <mailto:u@blast.example>\r\n"
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
        )
    step = minutes * 60 / n
    for i in range(n):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        body = (
            f"Hi {first} {last},\r\n\r\nThis week only, members like you get {rng.randint(20, 60)}% "
            f"off every plan. Your personal code is {rng.randint(100000, 999999)} and it expires "
            f"on {rng.randint(1, 28)} November.\r\nClaim it at https://blast.example/o/"
            f"{rng.getrandbits(40):x} before it is gone.\r\n\r\nThe Blast team"
        )
        yield mail(
            f"{tenant}-{i}",
            tenant,
            "offers@blast.example",
            f"{first}.{last}.{i}@rcpt.example",
            start + timedelta(seconds=i * step),
            f"{first}, your offer inside",
            body,
            headers,
        )


def normal(
    tenants: int = 4, per_tenant: int = 600, minutes: float = 10, start: datetime = T0
) -> Iterator[Event]:
    """Agents answering customers: varied text, a few hundred customers per tenant."""
    rng = random.Random(11)
    step = minutes * 60 / per_tenant
    for i in range(per_tenant):
        for t in range(tenants):
            tenant = f"normal{t}"
            customer = f"customer{rng.randint(0, 300)}@mail{t}.example"
            body = " ".join(rng.sample(SUPPORT, rng.randint(2, 5)))
            name = rng.choice(FIRST)
            when = start + timedelta(seconds=i * step + t * 0.01)
            ticket = rng.randint(1000, 9999)
            if i % 20 == 0:  # now and then a notice the system sends on its own
                yield mail(
                    f"{tenant}-{i}",
                    tenant,
                    f"orders@{tenant}.example",
                    customer,
                    when,
                    f"Order {ticket} shipped",
                    f"Hello {name}, your order {ticket} has "
                    f"shipped and arrives in {rng.randint(2, 5)} days. Track it at "
                    f"https://{tenant}.example/t/{rng.getrandbits(32):x}",
                )
                continue
            headers = f"In-Reply-To: <{ticket}.{i}@{tenant}.example>\r\n"
            yield mail(
                f"{tenant}-{i}",
                tenant,
                f"agent{rng.randint(1, 20)}@{tenant}.example",
                customer,
                when,
                f"Re: your ticket {ticket}",
                f"Hello {name},\r\n\r\n{body}\r\n\r\nKind regards",
                headers,
            )


def interleave(*streams: Iterable[Event]) -> list[Event]:
    return sorted((e for s in streams for e in s), key=lambda e: e.time)


def drive(
    engine: Engine, state: MemoryState | RedisState, events: Iterable[Event]
) -> Iterator[tuple[Event, Verdict]]:
    """Evaluate in event-time order and apply the observations once per event id."""
    for event in events:
        evaluation = engine.evaluate(event, Context(state=state, now=event.time))
        state.apply(event.id, evaluation.observations, event.time)
        yield event, evaluation.verdict
