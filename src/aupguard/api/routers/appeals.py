"""Appeals: filed by tenants (their key or an admin), decided by reviewers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException
from sqlalchemy import select

from aupguard.api.deps import Services, require, services
from aupguard.api.problems import responses
from aupguard.api.schemas import AppealDecisionIn, AppealIn, AppealOut, PathId
from aupguard.api.security import Caller
from aupguard.enforce.appeals import decide_appeal, file_appeal
from aupguard.store.models import Appeal

router = APIRouter(prefix="/v1/appeals", tags=["appeals"], responses=responses(404, 409))
Svc = Annotated[Services, Depends(services)]


@router.get("", response_model=list[AppealOut], summary="Appeals, newest first")
def list_appeals(caller: Annotated[Caller, Depends(require("admin"))], svc: Svc) -> list[AppealOut]:
    with svc.store.read() as s:
        rows = s.execute(select(Appeal).order_by(Appeal.id.desc()).limit(500)).scalars()
        return [AppealOut.model_validate(a) for a in rows]


@router.post("", response_model=AppealOut, status_code=201, summary="Appeal an action")
def file(
    body: AppealIn, caller: Annotated[Caller, Depends(require("decide"))], svc: Svc
) -> AppealOut:
    if "admin" not in caller.scopes and caller.tenant_id != body.tenant_id:
        raise HTTPException(403, "a tenant may appeal only its own actions")
    with svc.store.write() as s:
        return AppealOut.model_validate(
            file_appeal(s, body.action_id, body.tenant_id, body.statement, datetime.now(UTC))
        )


@router.post("/{appeal_id}/decision", response_model=AppealOut, summary="Uphold or overturn")
def decide(
    appeal_id: PathId,
    body: AppealDecisionIn,
    caller: Annotated[Caller, Depends(require("admin"))],
    svc: Svc,
) -> AppealOut:
    with svc.store.write() as s:
        appeal = decide_appeal(
            s,
            appeal_id,
            caller.actor,
            body.outcome == "overturn",
            body.reason,
            svc.decider.engine.document,
            datetime.now(UTC),
            svc.settings,
        )
        out = AppealOut.model_validate(appeal)
    svc.decider.status.refresh()
    return out
