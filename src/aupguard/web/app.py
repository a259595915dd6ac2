"""Mount the console and the public and tenant pages on the API application."""

from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from aupguard.web import (
    routes_admin,
    routes_appeals,
    routes_auth,
    routes_cases,
    routes_evidence,
    routes_public,
    routes_report,
    routes_tenant,
    routes_triage,
)
from aupguard.web.guard import LoginRequired
from aupguard.web.templating import templates


def mount(app: FastAPI) -> None:
    app.mount(
        "/static", StaticFiles(directory=str(files("aupguard.web") / "static")), name="static"
    )
    for module in (
        routes_public,
        routes_report,
        routes_auth,
        routes_cases,
        routes_evidence,
        routes_appeals,
        routes_triage,
        routes_admin,
        routes_tenant,
    ):
        app.include_router(module.router)

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse("/login", status_code=303)

    def html_error(request: Request, status: int, title: str, detail: str) -> Response:
        return templates.TemplateResponse(
            request,
            "error.html",
            {"status": status, "title": title, "detail": detail},
            status_code=status,
        )

    app.state.html_errors = html_error
