"""Errors as RFC 9457 problem details (application/problem+json)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

from aupguard.errors import (
    AupguardError,
    EnforcementError,
    InputError,
    NotFound,
    PolicyError,
    ReportError,
)

MEDIA = "application/problem+json"
_STATUS = [
    (NotFound, 404),
    (EnforcementError, 409),
    (InputError, 422),
    (PolicyError, 422),
    (ReportError, 422),
]


def problem(status: int, title: str, detail: str = "", **extra: Any) -> JSONResponse:
    body = {
        "type": f"https://aupguard.dev/problems/{status}",
        "title": title,
        "status": status,
        **({"detail": detail} if detail else {}),
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=MEDIA)


def install(app: FastAPI) -> None:
    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else ""
        pages = getattr(request.app.state, "html_errors", None)
        if pages is not None and _is_page(request):
            return pages(request, exc.status_code, _title(exc.status_code), detail)  # type: ignore[no-any-return]
        response: Response = problem(exc.status_code, _title(exc.status_code), detail)
        for k, v in (exc.headers or {}).items():
            response.headers[k] = v
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()
        ]
        first = errors[0] if errors else {"field": "", "message": "invalid request"}
        return problem(
            422, "Invalid request", f"{first['field']}: {first['message']}", errors=errors
        )

    @app.exception_handler(AupguardError)
    async def domain_error(request: Request, exc: AupguardError) -> Response:
        status = next((code for cls, code in _STATUS if isinstance(exc, cls)), 400)
        pages = getattr(request.app.state, "html_errors", None)
        if pages is not None and _is_page(request):
            return pages(request, status, _title(status), str(exc))  # type: ignore[no-any-return]
        return problem(status, _title(status), str(exc))


def _is_page(request: Request) -> bool:
    """Console, tenant and public pages get HTML errors; the API gets problem details."""
    path = request.url.path
    return not path.startswith(("/v1/", "/healthz", "/metrics", "/openapi"))


def _title(status: int) -> str:
    return {
        400: "Bad request",
        401: "Unauthorized",
        403: "Forbidden",
        404: "Not found",
        405: "Method not allowed",
        409: "Conflict",
        413: "Payload too large",
        422: "Invalid request",
        429: "Too many requests",
    }.get(status, "Error")
