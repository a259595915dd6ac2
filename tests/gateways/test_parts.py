"""Small parts: replies, token stamping, tenant mapping, AUTH table, quarantine, messaging gate."""

from __future__ import annotations

from email import message_from_bytes
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aupguard.errors import ConfigError, NotFound
from aupguard.gateways.answer import Answer, Origin
from aupguard.gateways.mail import split_head, stamp_token
from aupguard.gateways.messaging import MessagingGate
from aupguard.gateways.quarantine import Held, Quarantine, new_id
from aupguard.gateways.relayauth import UserTable, set_password
from aupguard.gateways.replies import smtp_reply
from aupguard.gateways.tenantmap import TenantMap
from aupguard.store.db import Store
from tests.gateways.helpers import act, add_tenant, audit_trail, gateway


@pytest.mark.parametrize(
    ("action", "origin", "line"),
    [
        ("allow", Origin.ENGINE, "250 2.0.0 Ok"),
        ("hold", Origin.ENGINE, "250 2.0.0 Accepted, held for review"),
        (
            "defer",
            Origin.THROTTLE,
            "451 4.7.1 Sending rate limit reached for this sender, try again later (case AUP-000007)",
        ),
        (
            "defer",
            Origin.FAIL_CLOSED,
            "451 4.7.0 Policy check temporarily unavailable, try again later",
        ),
        (
            "defer",
            Origin.STATUS,
            "451 4.7.1 Deferred under the acceptable use policy: x (case AUP-000007)",
        ),
        (
            "block",
            Origin.ENGINE,
            "550 5.7.1 Refused under the acceptable use policy: x (case AUP-000007)",
        ),
    ],
)
def test_replies(action: str, origin: Origin, line: str) -> None:
    assert smtp_reply(Answer(action, "x", origin, "AUP-000007")).line == line


def test_reply_text_is_one_safe_line() -> None:
    reply = smtp_reply(Answer("block", "bad\r\n250 fake\x00 é" + "y" * 500, Origin.ENGINE))
    assert "\r" not in reply.line and "\n" not in reply.line and reply.line.isascii()
    assert len(reply.text) <= 200


def test_unknown_action_is_refused() -> None:
    with pytest.raises(ValueError, match="gate action"):
        Answer("flag", "x", Origin.ENGINE)


field = st.from_regex(r"[A-Za-z][A-Za-z0-9-]{0,15}", fullmatch=True)
value = st.from_regex(r"[ -~]{0,40}", fullmatch=True)


@settings(max_examples=40)
@given(
    headers=st.lists(st.tuples(field, value), max_size=6),
    forged=st.integers(0, 3),
    body=st.binary(max_size=200),
    crlf=st.booleans(),
)
def test_stamp_token_keeps_everything_but_forged_tokens(
    headers: list[tuple[str, str]], forged: int, body: bytes, crlf: bool
) -> None:
    eol = b"\r\n" if crlf else b"\n"
    lines = [f"{k}: {v}".encode() + eol for k, v in headers if k.lower() != "x-aup-feedback-token"]
    lines += [b"X-AUP-Feedback-Token: forged" + eol + b"\tcontinued" + eol] * forged
    raw = b"".join(lines) + eol + body
    out = stamp_token(raw, "agf1-abc-def")
    head, rest = split_head(out)
    assert rest == eol + body if lines else True
    assert out.startswith(b"X-AUP-Feedback-Token: agf1-abc-def" + eol)
    assert out.count(b"forged") == body.count(b"forged")
    kept = [ln for ln in lines if b"forged" not in ln]
    assert all(ln in head for ln in kept)


def test_stamped_message_parses() -> None:
    raw = b"From: a@b.example\r\nX-AUP-Feedback-Token: x\r\nSubject: s\r\n\r\nbody\r\n"
    msg = message_from_bytes(stamp_token(raw, "agf1-t-m"))
    assert msg.get_all("X-AUP-Feedback-Token") == ["agf1-t-m"] and msg["Subject"] == "s"


def test_tenant_map_precedence(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'a.db'}")
    add_tenant(store, "acme", "acme.example", smtp_user="Acme-Mailer")
    add_tenant(store, "beta", "beta.example")
    tenants = TenantMap(store)
    assert tenants.for_mail(auth_user="acme-mailer", header_from="x@beta.example").tenant == "acme"
    by_from = tenants.for_mail(header_from='"B" <x@mail.beta.example>', mail_from="b@acme.example")
    assert (by_from.tenant, by_from.how) == ("beta", "from-domain")
    assert tenants.for_mail(mail_from="bounce@acme.example").how == "envelope-domain"
    assert tenants.for_mail(auth_user="nobody", header_from="x@other.example").tenant is None


def test_user_table(tmp_path: Path) -> None:
    path = tmp_path / "users"
    set_password(path, "Alice", "s3cret")
    set_password(path, "bob", "other")
    table = UserTable.load(path)
    assert table.verify("alice", "s3cret") and not table.verify("alice", "other")
    assert not table.verify("mallory", "s3cret")
    assert path.stat().st_mode & 0o777 == 0o600
    with pytest.raises(ConfigError, match="valid login"):
        set_password(path, "a:b", "x")
    path.write_text("broken line\n")
    with pytest.raises(ConfigError, match=":1: expected"):
        UserTable.load(path)


def test_quarantine_release_and_delete_are_audited(db_url: str, tmp_path: Path) -> None:
    from datetime import UTC, datetime

    store = Store(db_url)
    q = Quarantine(tmp_path / "q")

    def held(event_id: str) -> Held:
        entry = Held(
            id=new_id(),
            held_at=datetime.now(UTC),
            gateway="relay",
            tenant="acme",
            event_id=event_id,
            case_ref="AUP-000007",
            reason="violates phishing",
            mail_from="a@acme.example",
            rcpt_to=["x@example.org"],
        )
        return q.hold(entry, b"From: a@acme.example\r\n\r\nhi\r\n")

    first, second = held("relay:t1:aa"), held("relay:t2:bb")
    sent: list[tuple[str, tuple[str, ...], bytes, str]] = []
    with pytest.raises(ConfigError, match="no next hop"):
        q.release(first.id, reviewer="alice", deliver=lambda *a: sent.append(a), store=store)

    def refuse(*a: object) -> None:
        raise ConnectionRefusedError("next hop down")

    with pytest.raises(ConnectionRefusedError):
        q.release(first.id, reviewer="alice", deliver=refuse, store=store, next_hop="h:25")
    assert q.get(first.id).state == "held" and (q.folder / f"{first.id}.eml").exists()
    done = q.release(
        first.id, reviewer="alice", deliver=lambda *a: sent.append(a), store=store, next_hop="h:25"
    )
    assert done.state == "released" and sent[0][3] == "h:25"
    assert q.entries(include_released=True)[0].released_by == "alice"
    assert not (q.folder / f"{first.id}.eml").exists()
    gone = q.delete(second.id, reviewer="bob", store=store)
    assert gone.state == "deleted" and gone.deleted_by == "bob" and not q.entries()
    assert not (q.folder / f"{second.id}.eml").exists()
    with pytest.raises(ConfigError, match="already released"):
        q.delete(first.id, reviewer="bob", store=store)
    with pytest.raises(ConfigError, match="already deleted"):
        q.release(second.id, reviewer="alice", deliver=lambda *a: None, store=store)
    assert audit_trail(db_url, f"quarantine:{first.id}") == [
        ("alice", "quarantine.release", "failed", "relay:t1:aa"),
        ("alice", "quarantine.release", "failed", "relay:t1:aa"),
        ("alice", "quarantine.release", "released", "relay:t1:aa"),
    ]
    assert audit_trail(db_url, f"quarantine:{second.id}") == [
        ("bob", "quarantine.delete", "deleted", "relay:t2:bb")
    ]
    with pytest.raises(NotFound):
        q.get("../etc/passwd")
    store.dispose()


def test_messaging_gate_sms_chat_call(db_url: str, tmp_path: Path) -> None:
    gw = gateway(db_url, tmp_path)
    try:
        store = gw.gate.transport.decider.store  # type: ignore[attr-defined]
        add_tenant(store, "acme", "acme.example")
        gate = MessagingGate(gw.gate)
        assert gate.sms("acme", "+15550100001", "+15550199999", "see you", "m1").action == "allow"
        assert gate.sms("acme", "+15550100001", "+15550199999", "see you", "m1").action == "allow"
        assert gate.chat("acme", "agent-7", "visitor", "you won the lottery").action == "hold"
        assert gate.call("acme", "+15550100001", "+15550199999").action == "allow"
        act(store, "acme", "restrict", "block", scope="channel", target="call")
        gw.gate.status.refresh_now()
        assert gate.call("acme", "+15550100001", "+15550199999").action == "block"
        assert gate.sms("acme", "+15550100001", "+15550199999", "hi").action == "allow"
    finally:
        gw.close()
