"""What every request can depend on: the shared services and the caller's key and scope."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from aupguard.api.security import Caller, forbidden, key_from, lookup, unauthorized
from aupguard.decide import Decider
from aupguard.settings import Settings
from aupguard.store.db import Store


@dataclass(slots=True)
class Services:
    store: Store
    settings: Settings
    decider: Decider


def services(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


# Declared so the OpenAPI document says how to authenticate; `key_from` reads the key.
BEARER = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer agk_...`")
HEADER = APIKeyHeader(name="X-API-Key", auto_error=False, description="An API key (alternative)")


def require(scope: str) -> Callable[..., Caller]:
    """A dependency that admits keys with `scope` (or admin)."""

    def check(
        request: Request,
        svc: Annotated[Services, Depends(services)],
        _bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)],
        _header: Annotated[str | None, Depends(HEADER)],
    ) -> Caller:
        key = key_from(request)
        if not key:
            raise unauthorized()
        with svc.store.read() as s:
            caller = lookup(s, key)
        if caller is None:
            raise unauthorized()
        if scope not in caller.scopes and "admin" not in caller.scopes:
            raise forbidden(scope)
        return caller

    return check
