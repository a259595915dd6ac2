"""A console on a real database with reviewers of every role and a suspended-able tenant."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from aupguard.api.app import create_app
from aupguard.api.security import create_key
from aupguard.settings import Settings
from aupguard.store.db import Store
from aupguard.web.accounts import create_reviewer

PASSWORD = "correct horse battery staple"


@dataclass
class Site:
    app: object
    store: Store
    settings: Settings
    admin_key: str

    def client(self) -> TestClient:
        return TestClient(self.app)  # type: ignore[arg-type]

    def login(self, client: TestClient, username: str) -> str:
        page = client.get("/login").text
        token = re.search(r'name="csrf" value="([^"]+)"', page)
        assert token is not None
        r = client.post(
            "/login",
            data={"username": username, "password": PASSWORD, "csrf": token.group(1)},
            follow_redirects=False,
        )
        assert r.status_code == 303 and r.headers["location"] == "/console", r.text
        console = client.get("/console").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', console)
        assert csrf is not None
        return csrf.group(1)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    store = Store(f"sqlite:///{tmp_path / 'web.db'}")
    settings = Settings(home=tmp_path / "home")
    app = create_app(store, settings)
    with store.write() as s:
        key = create_key(s, "admin", ["admin"])
        for user, role in (("vic", "viewer"), ("rita", "reviewer"), ("ada", "admin")):
            create_reviewer(s, user, PASSWORD, role, datetime.now(UTC))
    yield Site(app, store, settings, key)
    store.dispose()
