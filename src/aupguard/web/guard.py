"""Who is looking: reviewer sessions with roles, CSRF checks on every form post."""

from __future__ import annotations

import hmac
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Form, HTTPException, Request

from aupguard.api.deps import Services, services
from aupguard.web.accounts import SessionInfo, load_session

COOKIE = "aupguard_session"
RANK = {"viewer": 0, "reviewer": 1, "admin": 2}


class LoginRequired(Exception):
    """Raised for a page that needs a session; the handler redirects to the login page."""


def current(request: Request, svc: Annotated[Services, Depends(services)]) -> SessionInfo:
    token = request.cookies.get(COOKIE)
    if not token:
        raise LoginRequired
    with svc.store.read() as s:
        info = load_session(s, token, datetime.now(UTC))
    if info is None:
        raise LoginRequired
    return info


Reviewer = Annotated[SessionInfo, Depends(current)]


def require_role(who: SessionInfo, role: str) -> None:
    if RANK.get(who.role, -1) < RANK[role]:
        raise HTTPException(403, f"your role ({who.role}) may not do this; it needs {role}")


def check_csrf(who: SessionInfo, token: str) -> None:
    if not token or not hmac.compare_digest(token, who.csrf):
        raise HTTPException(403, "missing or wrong CSRF token: reload the page and try again")


CsrfField = Annotated[str, Form(alias="csrf")]
