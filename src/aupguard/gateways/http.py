"""The gate over HTTP: POST /v1/decide for one event, GET /v1/status for the status table."""

from __future__ import annotations

import threading

import httpx
from pydantic import BaseModel, ConfigDict

from aupguard.enforce.status import ACTIVE, Status
from aupguard.events.model import Event
from aupguard.gateways.answer import Answer
from aupguard.gateways.wire import DecideResponse, event_to_json


def _client(base_url: str, timeout: float, api_key: str | None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    return httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout, headers=headers)


class HttpTransport:
    """One POST per event on a kept-alive connection pool; any non-200 answer is a failure."""

    def __init__(self, base_url: str, *, timeout: float = 5.0, api_key: str | None = None) -> None:
        self.client = _client(base_url, timeout, api_key)

    def decide(self, event: Event) -> Answer:
        response = self.client.post("/v1/decide", json=event_to_json(event))
        if response.status_code != 200:
            detail = response.text[:200].replace("\n", " ")
            raise RuntimeError(f"POST /v1/decide answered {response.status_code}: {detail}")
        return DecideResponse.model_validate_json(response.content).answer()

    def close(self) -> None:
        self.client.close()


class StatusEntry(BaseModel):
    model_config = ConfigDict(extra="ignore")
    tenant: str
    channel: str = "*"
    identity: str = "*"
    state: str
    restriction: str | None = None
    case_id: int | None = None
    action_id: int | None = None


class StatusTable(BaseModel):
    """The body of GET /v1/status: every status that is not active, and the version."""

    model_config = ConfigDict(extra="ignore")
    version: int
    entries: list[StatusEntry] = []


class HttpStatusView:
    """The status table read through the API (for gates without database access).

    `GET /v1/status?known=V` answers 304 when the version is still V, else the table.
    """

    def __init__(self, base_url: str, *, timeout: float = 2.0, api_key: str | None = None) -> None:
        self.client = _client(base_url, timeout, api_key)
        self.version = -1
        self._by_tenant: dict[str, dict[tuple[str, str], Status]] = {}
        self._lock = threading.Lock()

    def refresh(self) -> bool:
        params = {"known": self.version} if self.version >= 0 else {}
        response = self.client.get("/v1/status", params=params)
        if response.status_code == 304:
            return False
        if response.status_code != 200:
            raise RuntimeError(f"GET /v1/status answered {response.status_code}")
        table = StatusTable.model_validate_json(response.content)
        if table.version == self.version:
            return False
        by_tenant: dict[str, dict[tuple[str, str], Status]] = {}
        for e in table.entries:
            by_tenant.setdefault(e.tenant, {})[(e.channel, e.identity)] = Status(
                e.state, e.restriction, e.case_id, e.action_id
            )
        with self._lock:
            self._by_tenant, self.version = by_tenant, table.version
        return True

    def has_status(self, tenant: str | None) -> bool:
        return tenant is not None and tenant in self._by_tenant

    def check(self, tenant: str | None, channel: str, identities: tuple[str, ...] = ()) -> Status:
        """The most severe status that applies, as enforce.status.StatusCache.check."""
        table = self._by_tenant.get(tenant) if tenant else None
        if not table:
            return ACTIVE
        worst = ACTIVE
        for key in [("*", "*"), (channel, "*")] + [("*", i) for i in identities]:
            status = table.get(key)
            if status is not None and status.severity > worst.severity:
                worst = status
        return worst
