"""Abuse reports: intake with a reporter key, status for its filer, triage and reporters."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from aupguard.api.deps import Services, require, services
from aupguard.api.problems import problem, responses
from aupguard.api.reportsink import authenticator, intake_context, report_sink
from aupguard.api.schemas import Page
from aupguard.api.schemas_reports import (
    BulkVoidIn,
    BulkVoidOut,
    DuplicateIn,
    RatesOut,
    ReceiptOut,
    ReporterOut,
    ReportOut,
    ReportStatusOut,
    ResolveIn,
    VoidIn,
)
from aupguard.api.security import Caller
from aupguard.enforce.tenants import get_tenant
from aupguard.errors import NotFound
from aupguard.reports import triage
from aupguard.reports.intake import Receipt, take_in, take_submission
from aupguard.reports.rates import rates
from aupguard.reports.xarf import is_xarf
from aupguard.store.models import ReporterRow, ReportRow
from aupguard.store.models.reports import REPORT_STATES

router = APIRouter(prefix="/v1", tags=["reports"], responses=responses(404, 409, 422))
Admin = Annotated[Caller, Depends(require("admin"))]
Reporter = Annotated[Caller, Depends(require("reporter"))]
Svc = Annotated[Services, Depends(services)]
RAW_TYPES = ("message/rfc822", "text/plain", "application/octet-stream")


@router.post(
    "/reports",
    response_model=ReceiptOut,
    status_code=202,
    summary="File a report: JSON (X-ARF, or a submission like the web form's) or a raw "
    "message (message/rfc822: ARF, DSN, complaint); 422 names the rejected field",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"type": "object"}},
                "message/rfc822": {"schema": {"type": "string", "format": "binary"}},
            },
        }
    },
)
async def file_report(request: Request, caller: Reporter, svc: Svc) -> JSONResponse:
    data = await request.body()
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    sink = replace(report_sink(request, svc, "api"), filed_by=caller.actor)
    ctx = intake_context(svc, request)
    if ctype in RAW_TYPES:
        auth = authenticator(request, sink)
        receipt = await run_in_threadpool(take_in, data, ctx, sink, "api", auth)
    else:
        body = _json_object(data)
        if body is not None and not is_xarf(body):
            receipt = await run_in_threadpool(take_submission, body, ctx, sink, "api")
        else:  # X-ARF, or not a JSON object: the X-ARF parser says what is wrong
            receipt = await run_in_threadpool(take_in, data, ctx, sink, "api")
    if receipt.status == "accepted":
        svc.decider.status.refresh()  # an authenticated report may have stepped the ladder
    return _answer(svc, receipt)


def _json_object(data: bytes) -> dict[str, object] | None:
    try:
        value = json.loads(data)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _answer(svc: Services, receipt: Receipt) -> JSONResponse:
    if receipt.status == "rejected":
        field, _, reason = receipt.detail.partition(": ")
        return problem(
            422,
            "Report rejected",
            receipt.detail,
            reference=receipt.reference,
            field=field,
            reason=reason,
        )
    with svc.store.read() as s:
        state = triage.get_report(s, receipt.reference).state
    out = ReceiptOut(
        reference=receipt.reference, status=receipt.status, state=state, detail=receipt.detail
    )
    return JSONResponse(out.model_dump(mode="json"), status_code=202)


@router.get(
    "/reports/{reference}",
    response_model=ReportStatusOut,
    summary="Where a report stands (only for the key that filed it, or an admin)",
)
def report_status(reference: str, caller: Reporter, svc: Svc) -> ReportStatusOut:
    with svc.store.read() as s:
        row = s.execute(select(ReportRow).where(ReportRow.reference == reference)).scalar()
        if row is None or (row.filed_by != caller.actor and "admin" not in caller.scopes):
            raise NotFound(f"no report {reference!r} filed with this key")
        return ReportStatusOut.model_validate(row)


@router.get("/reports", response_model=Page, summary="Reports by state (default: triage)")
def list_reports(
    caller: Admin,
    svc: Svc,
    state: Annotated[str, Query(pattern="^(" + "|".join((*REPORT_STATES, "all")) + ")$")] = (
        "triage"
    ),
    reporter: Annotated[int | None, Query(ge=1)] = None,
    tenant: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[int | None, Query(ge=0)] = None,
) -> Page:
    q = select(ReportRow).order_by(ReportRow.id.desc())
    if state != "all":
        q = q.where(ReportRow.state == state)
    if reporter:
        q = q.where(ReportRow.reporter_id == reporter)
    if tenant:
        q = q.where(ReportRow.tenant_id == tenant)
    if cursor:
        q = q.where(ReportRow.id < cursor)
    with svc.store.read() as s:
        rows = list(s.execute(q.limit(limit + 1)).scalars())
        items = [ReportOut.model_validate(r) for r in rows[:limit]]
    return Page(items=items, next_cursor=str(rows[limit - 1].id) if len(rows) > limit else None)


@router.post("/reports/{reference}/resolve", response_model=ReportOut, summary="File in a case")
def resolve(
    reference: str, body: ResolveIn, request: Request, caller: Admin, svc: Svc
) -> ReportOut:
    policy = report_sink(request, svc, "api").policy
    with svc.store.write() as s:
        row = triage.resolve_to(
            s, reference, body.tenant, body.clause, caller.actor, policy, _now(), body.note
        )
        out = ReportOut.model_validate(row)
    svc.decider.status.refresh()  # a report-driven strike may have changed a status
    return out


@router.post("/reports/{reference}/duplicate", response_model=ReportOut, summary="Duplicate")
def duplicate(reference: str, body: DuplicateIn, caller: Admin, svc: Svc) -> ReportOut:
    with svc.store.write() as s:
        return ReportOut.model_validate(
            triage.mark_duplicate(s, reference, body.of, caller.actor, _now())
        )


@router.post("/reports/{reference}/void", response_model=ReportOut, summary="Void one report")
def void(reference: str, body: VoidIn, caller: Admin, svc: Svc) -> ReportOut:
    with svc.store.write() as s:
        return ReportOut.model_validate(
            triage.void(s, reference, caller.actor, body.reason, _now())
        )


@router.get("/reporters", response_model=Page, summary="Reporters, least reputable first")
def list_reporters(
    caller: Admin, svc: Svc, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> Page:
    with svc.store.read() as s:
        rows = list(s.execute(select(ReporterRow)).scalars())
    rows.sort(key=lambda r: (r.reputation, -r.reports))
    return Page(items=[ReporterOut.model_validate(r) for r in rows[:limit]], next_cursor=None)


@router.post(
    "/reporters/{reporter_id}/void",
    response_model=BulkVoidOut,
    summary="Void every open report of a reporter at once (and optionally mute it)",
)
def void_reporter(reporter_id: int, body: BulkVoidIn, caller: Admin, svc: Svc) -> BulkVoidOut:
    with svc.store.write() as s:
        n = triage.void_reporter(s, reporter_id, caller.actor, body.reason, _now(), body.mute)
    return BulkVoidOut(reporter_id=reporter_id, voided=n, muted=body.mute)


@router.get(
    "/tenants/{tenant_id}/rates",
    response_model=list[RatesOut],
    summary="Complaint and bounce rates against the send log: the tenant, then each identity",
)
def tenant_rates(
    tenant_id: str, caller: Admin, svc: Svc, days: Annotated[int, Query(ge=1, le=365)] = 30
) -> list[RatesOut]:
    until = _now()
    with svc.store.read() as s:
        get_tenant(s, tenant_id)
        found = rates(s, tenant_id, until - timedelta(days=days), until + timedelta(seconds=1))
    return [
        RatesOut(
            tenant_id=r.tenant_id,
            identity=r.identity,
            sent=r.sent,
            complaints=r.complaints,
            hard_bounces=r.hard_bounces,
            soft_bounces=r.soft_bounces,
            complaint_rate=r.complaint_rate,
            bounce_rate=r.bounce_rate,
        )
        for r in found
    ]


def _now() -> datetime:
    return datetime.now(UTC)
