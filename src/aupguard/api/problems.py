"""Errors as RFC 9457 problem details (application/problem+json)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from aupguard.errors import (
    AupguardError,
    EnforcementError,
    InputError,
    NotFound,
    PolicyError,
    ReportError,
)

MEDIA = "application/problem+json"
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details; invalid requests add `errors`, one per field.",
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}
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


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI responses for routes that can answer these problems."""
    return {
        c: {"description": _title(c), "content": {MEDIA: {"schema": PROBLEM_REF}}} for c in codes
    }


def document(doc: dict[str, Any]) -> dict[str, Any]:
    """Put the problems every operation can answer into the OpenAPI document, in place:
    401/403 where a key is needed, 413 where there is a body, 422 as a problem (not
    FastAPI's default validation body)."""
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    for operations in doc.get("paths", {}).values():
        for op in operations.values():
            codes = {int(c) for c in op["responses"] if c.isdigit() and int(c) >= 400}
            if op.get("security"):
                codes |= {401, 403}
            if "requestBody" in op:
                codes |= {400, 413}  # a body that does not parse; one that is too large
            op["responses"].update({str(c): v for c, v in responses(*sorted(codes)).items()})
    text = repr(doc["paths"])
    for name in ("HTTPValidationError", "ValidationError"):
        if f"#/components/schemas/{name}'" not in text:
            schemas.pop(name, None)
    return doc


def install(app: FastAPI) -> None:
    # Starlette's class: routing (404, 405) and body parsing (400) raise it, not FastAPI's.
    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else ""
        pages = getattr(request.app.state, "html_errors", None)
        if pages is not None and _is_page(request):
            return pages(request, exc.status_code, _title(exc.status_code), detail)  # type: ignore[no-any-return]
        response: Response = problem(exc.status_code, _title(exc.status_code), detail)
        for k, v in (exc.headers or {}).items():
            response.headers[k] = v
        allowed = _allowed(request) if exc.status_code == 405 else None
        if allowed:
            response.headers["Allow"] = allowed
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


def _allowed(request: Request) -> str | None:
    """Every method the contract lists for the path (FastAPI makes one route per method,
    and its 405 names only the first route's); None for paths outside the contract."""
    methods: set[str] = set()
    for template, operations in request.app.openapi()["paths"].items():
        if _template(template).fullmatch(request.url.path):
            methods |= {m.upper() for m in operations}
    return ", ".join(sorted(methods)) if methods else None


@lru_cache(maxsize=256)
def _template(path: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)))


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
