"""Tenant pages reached through a signed, expiring link: status, reasons, accept, appeal."""

from __future__ import annotations

import hmac
from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from aupguard.api.deps import Services, services
from aupguard.api.schemas import MAX_ID
from aupguard.aup.versions import accept, in_force, published
from aupguard.enforce.appeals import file_appeal
from aupguard.enforce.status import StatusCache
from aupguard.store.models import Acceptance, Action, Appeal, Tenant
from aupguard.tenantlinks import link_csrf, tenant_of
from aupguard.web.templating import templates

router = APIRouter(prefix="/t", include_in_schema=False)
Svc = Annotated[Services, Depends(services)]


def _tenant(svc: Services, token: str) -> str:
    tenant = tenant_of(svc.settings, token)
    if tenant is None:
        raise HTTPException(403, "this link is invalid or has expired; ask for a new one")
    return tenant


def _check(svc: Services, token: str, csrf: str) -> None:
    if not csrf or not hmac.compare_digest(csrf, link_csrf(svc.settings, token)):
        raise HTTPException(403, "missing or wrong CSRF token: reload the page and try again")


@router.get("/{token}", response_class=HTMLResponse)
def portal(request: Request, token: str, svc: Svc, done: str = "") -> Response:
    tenant_id = _tenant(svc, token)
    cache = StatusCache(svc.store)
    cache.refresh()
    with svc.store.read() as s:
        tenant = s.get(Tenant, tenant_id)
        if tenant is None:
            raise HTTPException(404, "unknown tenant")
        versions = published(s)
        current = in_force(versions, date.today())
        newest = versions[-1] if versions else None
        accepted = {
            a.version
            for a in s.execute(
                select(Acceptance).where(Acceptance.tenant_id == tenant_id)
            ).scalars()
        }
        actions = list(
            s.execute(
                select(Action)
                .where(Action.tenant_id == tenant_id, Action.state.in_(("effective", "overturned")))
                .order_by(Action.id.desc())
            ).scalars()
        )
        appeals = {
            a.action_id: a
            for a in s.execute(select(Appeal).where(Appeal.tenant_id == tenant_id)).scalars()
        }
    return templates.TemplateResponse(
        request,
        "tenant_portal.html",
        {
            "tenant": tenant,
            "status": cache.check(tenant_id, "*"),
            "current": current,
            "newest": newest,
            "accepted": accepted,
            "actions": actions,
            "appeals": appeals,
            "token": token,
            "csrf": link_csrf(svc.settings, token),
            "done": done,
        },
    )


@router.post("/{token}/accept")
def accept_aup(
    token: str,
    svc: Svc,
    version: Annotated[str, Form(max_length=20)],
    csrf: Annotated[str, Form()] = "",
) -> Response:
    tenant_id = _tenant(svc, token)
    _check(svc, token, csrf)
    with svc.store.write() as s:
        accept(
            s,
            tenant_id,
            version,
            how="explicit",
            actor=f"tenant:{tenant_id}",
            now=datetime.now(UTC),
        )
    return RedirectResponse(f"/t/{token}?done=accepted", status_code=303)


@router.post("/{token}/appeal")
def appeal(
    token: str,
    svc: Svc,
    action_id: Annotated[int, Form(ge=1, le=MAX_ID)],
    statement: Annotated[str, Form(min_length=3, max_length=5000)],
    csrf: Annotated[str, Form()] = "",
) -> Response:
    tenant_id = _tenant(svc, token)
    _check(svc, token, csrf)
    with svc.store.write() as s:
        file_appeal(s, action_id, tenant_id, statement, datetime.now(UTC))
    return RedirectResponse(f"/t/{token}?done=appealed", status_code=303)
