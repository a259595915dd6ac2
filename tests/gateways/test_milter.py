"""The milter class through pymilter's test context: SMTP login mapping and the replies."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest

from aupguard.gateways.mail import MailGate
from aupguard.gateways.milter import MilterService, milter_class
from tests.gateways.helpers import act, add_tenant, gateway, message

Milter = pytest.importorskip("Milter", reason="pymilter is not installed (aupguard[milter])")
from Milter.testctx import TestCtx as MtaStandIn  # noqa: E402


def feed(service: MilterService, raw: bytes, login: str | None) -> tuple[int, MtaStandIn]:
    """libmilter's call sequence; NOREPLY (callbacks negotiated without replies) goes on."""
    from email import message_from_bytes

    Milter.factory = milter_class(service)
    ctx = MtaStandIn()
    if login:
        ctx._setsymval("{auth_authen}", login)
    ctx._setsymval("i", "4F3A1B2C3D")
    ctx._body = None
    ctx._msg = message_from_bytes(raw)
    go = (Milter.CONTINUE, Milter.NOREPLY)
    assert ctx._connect(ip="127.0.0.1") in go
    assert ctx._envfrom("<news@beta.example>") in go
    assert ctx._envrcpt("<dest@example.org>") in go
    assert ctx._data() in go
    body = raw.partition(b"\r\n\r\n")[2]
    for name, value in ctx._msg.items():
        assert ctx._header(name, value) in go
    assert ctx._eoh() in go
    assert ctx._feed_body(BytesIO(body)) in go
    return ctx._eom(), ctx


def test_login_decides_the_tenant(tmp_path: Path) -> None:
    gw = gateway(f"sqlite:///{tmp_path / 'a.db'}", tmp_path)
    try:
        store = gw.gate.transport.decider.store  # type: ignore[attr-defined]
        add_tenant(store, "acme", "acme.example", smtp_user="acme-mailer")
        add_tenant(store, "beta", "beta.example")
        act(store, "acme", "suspend")
        gw.tenants.refresh()  # type: ignore[union-attr]
        gw.gate.status.refresh_now()
        service = MilterService(MailGate(gw, "milter"))
        raw = message("news@beta.example", "dest@example.org", "Hello from beta.")
        # Logged in as acme: acme's suspension applies whatever the From domain says.
        rc, refused = feed(service, raw, "acme-mailer")
        assert rc == Milter.REJECT
        assert refused._reply[:2] == ("550", "5.7.1") and "suspended" in refused._reply[2]
        # Without the login the From domain maps the mail to beta, which is active.
        rc, passed = feed(service, raw, None)
        assert rc == Milter.ACCEPT and passed._reply is None
        assert passed._msg["X-AUP-Feedback-Token"].startswith("agf1-")
    finally:
        gw.close()
