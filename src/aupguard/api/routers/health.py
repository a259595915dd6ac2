"""Health and Prometheus metrics; the audit trail for admins."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy import select, text

from aupguard.api.deps import Services, metrics_reader, require, services
from aupguard.api.metrics import exposition
from aupguard.api.schemas import MAX_ID, AuditOut
from aupguard.api.security import Caller
from aupguard.store.models import AuditEntry

router = APIRouter(tags=["operations"])
Svc = Annotated[Services, Depends(services)]


@router.get("/healthz", summary="Liveness and database reachability")
def health(svc: Svc) -> dict[str, str]:
    with svc.store.read() as s:
        s.execute(text("SELECT 1"))
    return {"status": "ok"}


@router.get(
    "/metrics",
    summary="Prometheus metrics (bearer: $AUPGUARD_METRICS_TOKEN or an admin key)",
    response_class=Response,
    dependencies=[Depends(metrics_reader)],
)
async def metrics() -> Response:
    return Response(exposition(), media_type="text/plain; version=0.0.4")


@router.get("/v1/audit", response_model=list[AuditOut], summary="Audit entries after a sequence")
def audit(
    caller: Annotated[Caller, Depends(require("admin"))],
    svc: Svc,
    after: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[AuditOut]:
    with svc.store.read() as s:
        rows = s.execute(
            select(AuditEntry).where(AuditEntry.seq > after).order_by(AuditEntry.seq).limit(limit)
        ).scalars()
        return [AuditOut.model_validate(r) for r in rows]
