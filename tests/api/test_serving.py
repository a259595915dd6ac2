"""Serving: several worker processes, /metrics behind a token or an admin key, key cache."""

from __future__ import annotations

import os
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from aupguard.api.app import create_app
from aupguard.api.security import KeyCache, create_key, revoke_key
from aupguard.cli.main import app as cli
from aupguard.settings import Settings
from aupguard.store.db import Store
from aupguard.store.models import AppliedEvent
from tests.api.conftest import Api
from tests.servers import free_port
from tests.web.live import aupguard_command, stop_process


def test_serve_with_two_workers_decides(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'serve.db'}"
    store = Store(db_url)
    with store.write() as s:
        key = create_key(s, "gateway", ["decide"])
    port = free_port()
    env = {**os.environ, "AUPGUARD_HOME": str(tmp_path / "home")}
    env.pop("AUPGUARD_DB_URL", None)
    cmd = [*aupguard_command(), "serve", "--workers", "2", "--port", str(port), "--db", db_url]
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300  # each worker loads the models; slow on a busy machine
        while True:
            assert proc.poll() is None, log.read_text("utf-8", "replace")
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, log.read_text("utf-8", "replace")
            time.sleep(0.3)
        for i in range(6):  # a connection each: the kernel spreads them over the workers
            r = httpx.post(
                f"{base}/v1/decide",
                json={"id": f"w{i}", "channel": "sms", "text": "hi"},
                headers={"Authorization": f"Bearer {key}"},
                timeout=60,
            )
            assert r.status_code == 200 and r.json()["action"] == "allow", r.text
    finally:
        stop_process(proc, timeout=120)
    with store.read() as s:
        ids = set(s.execute(select(AppliedEvent.event_id)).scalars())
    assert {f"w{i}" for i in range(6)} <= ids
    store.dispose()


def test_metrics_need_the_metrics_token_or_an_admin_key(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'm.db'}")
    settings = Settings(home=tmp_path / "home", metrics_token="scrape-7c1e")
    with store.write() as s:
        admin = create_key(s, "ops", ["admin"])
        decide = create_key(s, "gw", ["decide"])
    with TestClient(create_app(store, settings)) as c:
        assert c.get("/metrics").status_code == 401
        assert c.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert c.get("/metrics", headers={"Authorization": f"Bearer {decide}"}).status_code == 403
        for secret in ("scrape-7c1e", admin):
            r = c.get("/metrics", headers={"Authorization": f"Bearer {secret}"})
            assert r.status_code == 200 and b"aupguard_decisions_total" in r.content
    store.dispose()


def test_metrics_without_a_token_are_for_admin_keys(api: Api) -> None:
    assert api.client.get("/metrics").status_code == 401
    assert api.client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 401
    assert api.client.get("/metrics", headers=api.h("admin")).status_code == 200


def test_a_revoked_key_is_refused_once_the_cache_lets_go(api: Api) -> None:
    now = [0.0]
    svc = api.client.app.state.services  # type: ignore[attr-defined]
    svc.keys = KeyCache(clock=lambda: now[0])
    sms = {"channel": "sms", "text": "hi"}
    assert api.client.post("/v1/decide", json=sms, headers=api.h("decide")).status_code == 200
    prefix = api.keys["decide"].split("_")[1]
    with api.store.write() as s:
        assert revoke_key(s, prefix, datetime.now(UTC))
        assert not revoke_key(s, prefix, datetime.now(UTC))  # already revoked
    # Revoked by another process: this one still knows the key for at most the TTL.
    assert api.client.post("/v1/decide", json=sms, headers=api.h("decide")).status_code == 200
    now[0] += KeyCache.TTL + 0.1
    r = api.client.post("/v1/decide", json=sms, headers=api.h("decide"))
    assert r.status_code == 401


def test_key_cache_forgets_and_expires() -> None:
    from aupguard.api.security import Caller

    now = [0.0]
    cache = KeyCache(ttl=5, clock=lambda: now[0])
    caller = Caller(1, "gw", frozenset({"decide"}), None)
    cache.put("agk_a_b", caller)
    assert cache.get("agk_a_b") == caller and cache.get("agk_a_c") is None
    now[0] = 6
    assert cache.get("agk_a_b") is None
    cache.put("agk_a_b", caller)
    cache.forget()
    assert cache.get("agk_a_b") is None


def test_cli_revokes_a_key(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'k.db'}"
    runner = CliRunner()
    made = runner.invoke(cli, ["keys", "create", "gw", "--scope", "decide", "--db", db])
    assert made.exit_code == 0, made.output
    key = made.output.strip()
    done = runner.invoke(cli, ["keys", "revoke", key.split("_")[1], "--db", db])
    assert done.exit_code == 0 and "revoked" in done.output, done.output
    again = runner.invoke(cli, ["keys", "revoke", key.split("_")[1], "--db", db])
    assert again.exit_code == 2 and "no active key" in again.output
