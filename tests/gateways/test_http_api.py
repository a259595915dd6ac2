"""A gateway with only the API URL, against a real `aupguard serve` process on loopback."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from aupguard.api.security import create_key
from aupguard.gateways.answer import Origin
from aupguard.gateways.factory import GatewaySetup, build_gateway
from aupguard.gateways.http import HttpStatusView
from aupguard.gateways.messaging import MessagingGate
from aupguard.store.db import Store
from tests.gateways.helpers import add_tenant
from tests.gateways.procs import GatewayProcess
from tests.servers import free_port


def test_api_only_gateway_enforces_a_suspension_made_through_the_api_within_a_second(
    db_url: str, tmp_path: Path
) -> None:
    store = Store(db_url)
    add_tenant(store, "acme", "acme.example")
    with store.write() as s:
        gate_key = create_key(s, "sms-edge", ["decide"])
        admin_key = create_key(s, "reviewer", ["admin"])
    store.dispose()
    port = free_port()
    server = GatewayProcess(
        ["serve", "--port", str(port), "--db", db_url],
        port,
        tmp_path / "home",
        tmp_path / "serve.log",
    )
    url = f"http://127.0.0.1:{port}"
    gw = build_gateway(GatewaySetup(name="sms-edge", api_url=url, api_key=gate_key))
    try:
        view = gw.gate.status.view
        assert isinstance(view, HttpStatusView) and gw.tenants is None  # no database here
        gate = MessagingGate(gw.gate)
        first = gate.sms("acme", "+15550100001", "+15550199999", "Your table is ready")
        assert (first.action, first.origin) == ("allow", Origin.ENGINE), server.log()
        before = view.version
        with httpx.Client(base_url=url) as admin:
            answer = admin.post(
                "/v1/actions",
                headers={"Authorization": f"Bearer {admin_key}"},
                json={"tenant_id": "acme", "kind": "suspend", "reason": "test suspension"},
            )
            committed = time.monotonic()
        assert answer.status_code == 201, answer.text
        seen = None
        while time.monotonic() < committed + 5:
            probe = gate.sms("acme", "+15550100001", "+15550199999", "Your table is ready")
            # The API's own decider may refuse first (origin engine); wait for the gate's table.
            if probe.origin == Origin.STATUS:
                seen = time.monotonic()
                assert probe.action == "block"
                break
            time.sleep(0.01)
        assert seen is not None, server.log()
        assert view.version > before
        print(f"API poll: suspension enforced {(seen - committed) * 1000:.0f} ms after commit")
        assert seen - committed < 1.0
    finally:
        gw.close()
        server.stop()
