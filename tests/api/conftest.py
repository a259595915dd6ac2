"""An API app on a real database per test, with keys of every scope."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from aupguard.api.app import create_app
from aupguard.api.security import create_key
from aupguard.settings import Settings
from aupguard.store.db import Store


@dataclass
class Api:
    client: TestClient
    store: Store
    keys: dict[str, str]

    def h(self, scope: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[scope]}"}


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    store = Store(f"sqlite:///{tmp_path / 'api.db'}")
    app = create_app(store, Settings(home=tmp_path / "home"))
    with store.write() as s:
        keys = {scope: create_key(s, scope, [scope]) for scope in ("decide", "reporter", "admin")}
    with TestClient(app) as client:
        yield Api(client, store, keys)
    store.dispose()
