"""The gate on a real database: status first, throttles, engine deadline, fail open and closed."""

from __future__ import annotations

from pathlib import Path

from aupguard.events.model import Channel, Event, MessageContent
from aupguard.gateways.answer import Origin
from aupguard.gateways.mail import MailGate
from aupguard.gateways.metrics import metrics_text
from aupguard.gateways.throttle import BucketSpec
from tests.gateways.helpers import EICAR_TEXT, act, add_tenant, gateway, message


def sms(event_id: str, text: str, tenant: str = "acme") -> Event:
    return Event(
        id=event_id,
        channel=Channel.SMS,
        tenant=tenant,
        content=MessageContent(text, sender_id="+15550100001", recipient="+15550199999"),
    )


def test_clean_eicar_suspended_and_held(db_url: str, tmp_path: Path) -> None:
    gw = gateway(db_url, tmp_path)
    try:
        store = gw.gate.transport.decider.store  # type: ignore[attr-defined]
        add_tenant(store, "acme", "acme.example")
        assert gw.gate.check(sms("e1", "see you at 10")).action == "allow"
        held = gw.gate.check(sms("e2", "you won the lottery"))
        assert held.action == "hold" and held.origin is Origin.ENGINE
        blocked = gw.gate.check(sms("e3", EICAR_TEXT))
        assert (
            blocked.action == "block" and blocked.case_ref and blocked.case_ref.startswith("AUP-")
        )
        assert "violates malware" in blocked.reason and "EICAR" not in blocked.reason
        # The malware ladder suspended acme on that deterministic hit: refused on status alone.
        after = gw.gate.check(sms("e4", "see you at 10"))
        assert (after.action, after.origin) == ("block", Origin.STATUS)
        assert after.case_ref == blocked.case_ref
        text = metrics_text(gw.metrics).decode()
        assert (
            'aupguard_gateway_decisions_total{action="block",gateway="test",origin="status"} 1.0'
            in text
        )
    finally:
        gw.close()


def test_throttle_defers_excess_and_restricted_defer(db_url: str, tmp_path: Path) -> None:
    gw = gateway(db_url, tmp_path, throttle=BucketSpec(rate=0.001, burst=2))
    try:
        store = gw.gate.transport.decider.store  # type: ignore[attr-defined]
        add_tenant(store, "acme", "acme.example")
        add_tenant(store, "beta", "beta.example")
        act(store, "acme", "restrict", "throttle")
        act(store, "beta", "restrict", "defer")
        gw.gate.status.refresh_now()
        answers = [gw.gate.check(sms(f"t{i}", "hello there")) for i in range(4)]
        assert [a.action for a in answers] == ["allow", "allow", "defer", "defer"]
        assert answers[2].origin is Origin.THROTTLE
        deferred = gw.gate.check(sms("b1", "hello", tenant="beta"))
        assert (deferred.action, deferred.origin) == ("defer", Origin.STATUS)
    finally:
        gw.close()


def test_slow_engine_fails_closed_or_open(db_url: str, tmp_path: Path) -> None:
    closed = gateway(db_url, tmp_path, deadline_s=0.3, name="closed")
    opened = gateway(db_url, tmp_path, deadline_s=0.3, failure_mode="open", name="open")
    try:
        store = closed.gate.transport.decider.store  # type: ignore[attr-defined]
        add_tenant(store, "acme", "acme.example")
        opened.tenants.refresh()  # type: ignore[union-attr]
        a = closed.gate.check(sms("s1", "sleepy text"))
        assert (a.action, a.origin) == ("defer", Origin.FAIL_CLOSED)
        b = opened.gate.check(sms("s2", "sleepy text"))
        assert (b.action, b.origin) == ("allow", Origin.FAIL_OPEN)
        assert "engine_failures_total" in metrics_text(closed.metrics).decode()
        # A suspended tenant is refused even when the engine could not have answered in time.
        act(store, "acme", "suspend")
        opened.gate.status.refresh_now()
        c = opened.gate.check(sms("s3", "sleepy text"))
        assert (c.action, c.origin) == ("block", Origin.STATUS)
    finally:
        closed.close()
        opened.close()


def test_broken_engine_fails_closed_never_permanent(db_url: str, tmp_path: Path) -> None:
    gw = gateway(db_url, tmp_path)
    try:
        decider = gw.gate.transport.decider  # type: ignore[attr-defined]
        add_tenant(decider.store, "acme", "acme.example")
        gw.tenants.refresh()  # type: ignore[union-attr]

        def broken(event: Event) -> None:
            raise ConnectionError("database went away")

        decider.decide = broken
        mail = MailGate(gw, "test")
        raw = message("news@acme.example", "x@example.org", "hello")
        outcome = mail.judge(
            raw, transaction="q1", mail_from="news@acme.example", rcpt_to=("x@example.org",)
        )
        assert outcome.event.tenant == "acme"
        assert outcome.answer.origin is Origin.FAIL_CLOSED
        assert outcome.reply.line.startswith("451 4.7.0")
    finally:
        gw.close()


def test_unmapped_mail_policy(db_url: str, tmp_path: Path) -> None:
    gw = gateway(db_url, tmp_path)
    try:
        raw = message("someone@stranger.example", "x@example.org", "hello")
        env = {
            "transaction": "q",
            "mail_from": "someone@stranger.example",
            "rcpt_to": ("x@example.org",),
        }
        assert MailGate(gw, "m").judge(raw, **env).answer.action == "allow"  # type: ignore[arg-type]
        refused = MailGate(gw, "m", "reject").judge(raw, **env)  # type: ignore[arg-type]
        assert (
            refused.reply.line.startswith("550 5.7.1") and refused.answer.origin is Origin.UNMAPPED
        )
        assert MailGate(gw, "m", "defer").judge(raw, **env).reply.code == 451  # type: ignore[arg-type]
    finally:
        gw.close()
