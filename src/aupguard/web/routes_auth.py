"""Logging reviewers in and out (argon2 passwords, session cookie, double-submit CSRF)."""

from __future__ import annotations

import hmac
import secrets
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from aupguard.api.deps import Services, services
from aupguard.web.accounts import check_password, close_session, open_session
from aupguard.web.guard import COOKIE, CsrfField, Reviewer, check_csrf
from aupguard.web.templating import templates

router = APIRouter(include_in_schema=False)
LOGIN_CSRF = "aupguard_login_csrf"


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, error: str = "") -> Response:
    token = secrets.token_urlsafe(24)
    response = templates.TemplateResponse(request, "login.html", {"csrf": token, "error": error})
    response.set_cookie(LOGIN_CSRF, token, httponly=True, samesite="strict", max_age=1800)
    return response


@router.post("/login")
def login(
    request: Request,
    svc: Annotated[Services, Depends(services)],
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=200)],
    csrf: CsrfField,
) -> Response:
    cookie = request.cookies.get(LOGIN_CSRF, "")
    if not csrf or not hmac.compare_digest(cookie, csrf):
        raise HTTPException(403, "missing or wrong CSRF token: reload the login page")
    now = datetime.now(UTC)
    with svc.store.write() as s:
        reviewer = check_password(s, username, password)
        if reviewer is None:
            return RedirectResponse("/login?error=Wrong+username+or+password", status_code=303)
        token, _ = open_session(s, reviewer, now)
    response = RedirectResponse("/console", status_code=303)
    response.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="lax",
        max_age=12 * 3600,
        secure=svc.settings.public_url.startswith("https"),
    )
    response.delete_cookie(LOGIN_CSRF)
    return response


@router.post("/logout")
def logout(
    request: Request, who: Reviewer, svc: Annotated[Services, Depends(services)], csrf: CsrfField
) -> Response:
    check_csrf(who, csrf)
    with svc.store.write() as s:
        close_session(s, request.cookies.get(COOKIE, ""))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response
