"""The gate over HTTP against a server that implements docs/gateways.md with a real Decider."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aupguard.decide import Decider
from aupguard.events.jsonevent import event_from_json
from aupguard.events.model import (
    CallRecord,
    Channel,
    Event,
    MessageContent,
    Role,
    TranscriptContent,
    Turn,
)
from aupguard.gateways.answer import Origin
from aupguard.gateways.factory import GatewaySetup, build_gateway
from aupguard.gateways.http import HttpStatusView
from aupguard.gateways.wire import decision_json, event_to_json, status_json
from tests.gateways.helpers import EICAR_TEXT, act, add_tenant, gateway


class Api:
    """The two endpoints of the contract, on http.server, around one Decider."""

    def __init__(self, decider: Decider) -> None:
        self.decider = decider
        self.lock = threading.Lock()
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _send(self, code: int, body: dict[str, object] | None) -> None:
                data = json.dumps(body).encode() if body is not None else b""
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                event = event_from_json(body)
                with api.lock:
                    decision = api.decider.decide(event)
                self._send(200, decision_json(decision))

            def do_GET(self) -> None:
                known = parse_qs(urlparse(self.path).query).get("known", [None])[0]
                with api.decider.store.read() as s:
                    table = status_json(s, int(known) if known is not None else None)
                self._send(304 if table is None else 200, table)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def api(db_url: str, tmp_path: Path) -> Iterator[Api]:
    local = gateway(db_url, tmp_path)  # its Decider serves the API
    server = Api(local.gate.transport.decider)  # type: ignore[attr-defined]
    yield server
    server.server.shutdown()
    local.close()


def sms(event_id: str, text: str) -> Event:
    return Event(
        id=event_id,
        channel=Channel.SMS,
        tenant="acme",
        content=MessageContent(text, sender_id="+15550100001", recipient="+15550199999"),
    )


def test_http_gate_decides_and_reads_status(api: Api, tmp_path: Path) -> None:
    add_tenant(api.decider.store, "acme", "acme.example")
    gw = build_gateway(GatewaySetup(name="http", api_url=api.url))
    try:
        assert gw.tenants is None  # no database: the caller names the tenant
        assert gw.gate.check(sms("h1", "see you at 10")).action == "allow"
        held = gw.gate.check(sms("h2", "you won the lottery"))
        assert held.action == "hold" and held.feedback_token
        blocked = gw.gate.check(sms("h3", EICAR_TEXT))
        assert blocked.action == "block" and blocked.case_ref and "malware" in blocked.reason
        gw.gate.status.refresh_now()  # the suspension arrives through GET /v1/status
        after = gw.gate.check(sms("h4", "hello"))
        assert (after.action, after.origin) == ("block", Origin.STATUS)
        assert not gw.gate.status.view.refresh()  # unchanged: 304
    finally:
        gw.close()


def test_http_engine_down_fails_closed(tmp_path: Path) -> None:
    gw = build_gateway(GatewaySetup(name="down", api_url="http://127.0.0.1:1", ttl_s=60))
    try:
        gw.gate.status.last_ok = gw.gate.status.clock()  # status known; only the engine is down
        answer = gw.gate.check(sms("d1", "hello"))
        assert (answer.action, answer.origin) == ("defer", Origin.FAIL_CLOSED)
    finally:
        gw.close()


def test_status_view_matches_cache(api: Api) -> None:
    add_tenant(api.decider.store, "acme", "acme.example")
    act(api.decider.store, "acme", "restrict", "throttle")
    view = HttpStatusView(api.url)
    assert view.refresh()
    status = view.check("acme", "sms")
    assert (status.state, status.restriction) == ("restricted", "throttle")


texts = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=50)


@given(text=texts, sender=st.none() | st.from_regex(r"\+1555[0-9]{7}", fullmatch=True))
def test_message_events_round_trip(text: str, sender: str | None) -> None:
    event = Event(
        id="r1",
        channel=Channel.CHAT,
        tenant="t",
        time=datetime(2026, 1, 2, tzinfo=UTC),
        content=MessageContent(text, sender_id=sender, recipient="+15550199999"),
    )
    back = event_from_json(event_to_json(event))
    assert back.content == event.content and back.id == event.id and back.time == event.time


def test_transcript_call_and_mail_round_trip() -> None:
    t = datetime(2026, 1, 2, tzinfo=UTC)
    for content, channel in (
        (
            TranscriptContent((Turn(Role.AGENT, "hello"), Turn(Role.CUSTOMER, "hi")), "+1", "+2"),
            Channel.VOICE,
        ),
        (CallRecord("+15550100001", "+15550199999", t, 12.5, True, attestation="A"), Channel.CALL),
    ):
        event = Event(id="x", channel=channel, tenant="t", time=t, content=content)
        assert event_from_json(event_to_json(event)).content == content
    from aupguard.events.model import EmailContent

    mail = Event(
        id="m",
        channel=Channel.EMAIL,
        tenant="t",
        time=t,
        content=EmailContent(
            b"From: a@b.example\r\n\r\n\xff body", "a@b.example", ("c@d.example",)
        ),
    )
    assert event_from_json(event_to_json(mail)).content == mail.content
