"""Appeals in the console: the open ones to decide, and uphold or overturn (reviewers)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from aupguard.api.deps import Services, services
from aupguard.api.schemas import PathId
from aupguard.enforce.appeals import decide_appeal
from aupguard.store.models import Action, Appeal
from aupguard.web.guard import CsrfField, Reviewer, check_csrf, require_role
from aupguard.web.templating import templates

router = APIRouter(prefix="/console", include_in_schema=False)
Svc = Annotated[Services, Depends(services)]


def appeals_with_actions(
    session: Session, tenant_id: str | None = None, open_only: bool = False
) -> list[tuple[Appeal, Action]]:
    """Appeals (newest first) with the action each one contests."""
    q = select(Appeal, Action).join(Action, Action.id == Appeal.action_id)
    if tenant_id is not None:
        q = q.where(Appeal.tenant_id == tenant_id)
    if open_only:
        q = q.where(Appeal.state == "open")
    return [(a, act) for a, act in session.execute(q.order_by(Appeal.id.desc()).limit(500))]


@router.get("/appeals", response_class=HTMLResponse)
def appeals(request: Request, who: Reviewer, svc: Svc, state: str = "open") -> Response:
    with svc.store.read() as s:
        rows = appeals_with_actions(s, open_only=state == "open")
    return templates.TemplateResponse(
        request, "appeals.html", {"who": who, "appeals": rows, "state": state}
    )


@router.post("/appeals/{appeal_id}/decision")
def decide(
    appeal_id: PathId,
    who: Reviewer,
    svc: Svc,
    csrf: CsrfField,
    outcome: Annotated[Literal["uphold", "overturn"], Form()],
    reason: Annotated[str, Form(min_length=3, max_length=2000)],
    back: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Overturning reinstates the tenant, removes the strikes and tells the tenant."""
    check_csrf(who, csrf)
    require_role(who, "reviewer")
    with svc.store.write() as s:
        if s.get(Appeal, appeal_id) is None:
            raise HTTPException(404, f"no appeal {appeal_id}")
        decide_appeal(
            s,
            appeal_id,
            f"reviewer:{who.username}",
            outcome == "overturn",
            reason,
            svc.decider.engine.document,
            datetime.now(UTC),
            svc.settings,
        )
    svc.decider.status.refresh()
    # Only console paths: a form field must not turn this into an open redirect.
    target = back if back.startswith("/console/") and "//" not in back else "/console/appeals"
    return RedirectResponse(target, status_code=303)
