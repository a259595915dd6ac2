"""What every request can depend on: the shared services and the caller's key and scope."""

from __future__ import annotations

import hmac
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Annotated, Any

from anyio import CapacityLimiter
from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from aupguard.api.security import Caller, KeyCache, forbidden, key_from, lookup, unauthorized
from aupguard.decide import Decider
from aupguard.settings import Settings
from aupguard.store.db import Store

DECIDE_THREADS = 2


@dataclass(slots=True)
class Services:
    store: Store
    settings: Settings
    decider: Decider
    keys: KeyCache = field(default_factory=KeyCache)
    # Decisions are CPU-bound under one GIL: two threads (one computing while the other
    # waits on the database) serve them first come, first served, where the threadpool's
    # 40 would share the GIL in 5 ms turns and every decision in the queue would finish
    # late; it cost less CPU per decision too (docs/performance.md, API latency).
    decisions: CapacityLimiter = field(default_factory=lambda: CapacityLimiter(DECIDE_THREADS))

    def caller(self, key: str) -> Caller | None:
        """The key's caller from the store (blocking: call it off the event loop)."""
        with self.store.read() as s:
            caller = lookup(s, key)
        if caller is not None:
            self.keys.put(key, caller)
        return caller


# Dependencies are async when they do not block: FastAPI runs a sync one in the
# threadpool, a hop that waits for the GIL behind the decisions running there.
async def services(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


# Declared so the OpenAPI document says how to authenticate; `key_from` reads the key.
BEARER = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer agk_...`")
HEADER = APIKeyHeader(name="X-API-Key", auto_error=False, description="An API key (alternative)")


def require(scope: str) -> Callable[..., Coroutine[Any, Any, Caller]]:
    """A dependency that admits keys with `scope` (or admin)."""

    async def check(
        request: Request,
        svc: Annotated[Services, Depends(services)],
        _bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)],
        _header: Annotated[str | None, Depends(HEADER)],
    ) -> Caller:
        key = key_from(request)
        if not key:
            raise unauthorized()
        caller = svc.keys.get(key) or await run_in_threadpool(svc.caller, key)
        if caller is None:
            raise unauthorized()
        if scope not in caller.scopes and "admin" not in caller.scopes:
            raise forbidden(scope)
        return caller

    return check


async def metrics_reader(
    request: Request,
    svc: Annotated[Services, Depends(services)],
    _bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)],
) -> None:
    """Admits Prometheus with $AUPGUARD_METRICS_TOKEN as its bearer token, or an admin key:
    the metrics tell tenants' volumes and actions, so they are not public."""
    key = key_from(request)
    token = svc.settings.metrics_token
    if token and key and hmac.compare_digest(key.encode(), token.encode()):
        return
    await require("admin")(request, svc, _bearer, None)
