"""The FastAPI application: routers, problem details, limits, shared services."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

from aupguard.api import problems
from aupguard.api.deps import Services
from aupguard.api.limits import BodyLimit
from aupguard.api.routers import (
    appeals,
    cases,
    decide,
    health,
    policy,
    reports,
    status,
    tenants,
)
from aupguard.decide import Decider
from aupguard.settings import Settings
from aupguard.state.backends import open_state
from aupguard.store.db import Store

MAX_BODY = 26 * 1024 * 1024  # a 25 MB message plus envelope


def _operation_id(route: APIRoute) -> str:
    return f"{route.tags[0]}_{route.name}" if route.tags else route.name


def create_app(
    store: Store | None = None,
    settings: Settings | None = None,
    decider: Decider | None = None,
    *,
    with_web: bool = True,
) -> FastAPI:
    """One app for API and console; services are built once and shared by every request."""
    settings = settings or Settings()
    store = store or Store(settings.database_url)
    decider = decider or Decider(store, settings=settings, state=open_state(settings.state_url))
    app = FastAPI(
        title="aupguard",
        version="1",
        generate_unique_id_function=_operation_id,
        description="Decide events against the Acceptable Use Policy; tenants, cases, "
        "appeals, reports, policy versions and audit. Errors are RFC 9457 "
        "problem details.",
    )
    app.state.services = Services(store=store, settings=settings, decider=decider)
    problems.install(app)
    for module in (decide, status, tenants, cases, appeals, reports, policy, health):
        app.include_router(module.router)
    if with_web:
        from aupguard.web.app import mount

        mount(app)
    app.add_middleware(BodyLimit, max_bytes=MAX_BODY)
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:  # generate() caches the document; edit it once
            problems.document(generate())
        return app.openapi_schema or generate()

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def app_from_env() -> FastAPI:
    """The app built from AUPGUARD_* settings alone: each process of `aupguard serve
    --workers N` (or `uvicorn --factory aupguard.api.app:app_from_env`) makes its own."""
    from aupguard.runtime import tune_gc

    settings = Settings()
    app = create_app(Store(settings.database_url), settings)
    app.state.services.decider.engine.warm_up()  # models load now, not in the first request
    tune_gc()
    return app
