"""The console's triage queue, report pages and reporters (reputation, bulk void, mute)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from aupguard.api.deps import Services, services
from aupguard.api.reportsink import report_sink
from aupguard.reports import triage
from aupguard.store.models import ReporterRow, ReportRow
from aupguard.store.models.reports import REPORT_STATES
from aupguard.web.guard import CsrfField, Reviewer, check_csrf, require_role
from aupguard.web.templating import templates

router = APIRouter(prefix="/console", include_in_schema=False)
Svc = Annotated[Services, Depends(services)]


@router.get("/triage", response_class=HTMLResponse)
def queue(
    request: Request,
    who: Reviewer,
    svc: Svc,
    state: str = "triage",
    kind: str = "",
    reporter: int | None = None,
    tenant: str = "",
) -> Response:
    q = select(ReportRow).order_by(ReportRow.received.desc(), ReportRow.id.desc())
    if state in REPORT_STATES:
        q = q.where(ReportRow.state == state)
    if kind:
        q = q.where(ReportRow.kind == kind)
    if reporter:
        q = q.where(ReportRow.reporter_id == reporter)
    if tenant:
        q = q.where(ReportRow.tenant_id == tenant)
    with svc.store.read() as s:
        rows = list(s.execute(q.limit(500)).scalars())
        ids = {r.reporter_id for r in rows if r.reporter_id}
        reporters = {
            r.id: r for r in s.execute(select(ReporterRow).where(ReporterRow.id.in_(ids))).scalars()
        }
    return templates.TemplateResponse(
        request,
        "triage.html",
        {
            "who": who,
            "reports": rows,
            "reporters": reporters,
            "states": [*REPORT_STATES, "all"],
            "filters": {"state": state, "kind": kind, "reporter": reporter or "", "tenant": tenant},
        },
    )


@router.get("/reports/{reference}", response_class=HTMLResponse)
def report_page(request: Request, reference: str, who: Reviewer, svc: Svc) -> Response:
    with svc.store.read() as s:
        row = triage.get_report(s, reference)
        reporter = s.get(ReporterRow, row.reporter_id) if row.reporter_id else None
        first = s.get(ReportRow, row.duplicate_of) if row.duplicate_of else None
    return templates.TemplateResponse(
        request,
        "report.html",
        {
            "who": who,
            "r": row,
            "reporter": reporter,
            "first": first,
            "clauses": list(svc.decider.ruleset.clauses),
        },
    )


def _done(reference: str) -> Response:
    return RedirectResponse(f"/console/reports/{reference}", status_code=303)


@router.post("/reports/{reference}/resolve")
def resolve(
    request: Request,
    reference: str,
    who: Reviewer,
    svc: Svc,
    csrf: CsrfField,
    tenant: Annotated[str, Form(min_length=1, max_length=64)],
    clause: Annotated[str, Form(max_length=40)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    check_csrf(who, csrf)
    require_role(who, "reviewer")
    policy = report_sink(request, svc, "form").policy
    with svc.store.write() as s:
        triage.resolve_to(
            s,
            reference,
            tenant.strip(),
            clause or None,
            f"reviewer:{who.username}",
            policy,
            datetime.now(UTC),
            note,
        )
    svc.decider.status.refresh()
    return _done(reference)


@router.post("/reports/{reference}/duplicate")
def duplicate(
    reference: str,
    who: Reviewer,
    svc: Svc,
    csrf: CsrfField,
    of: Annotated[str, Form(min_length=5, max_length=24)],
) -> Response:
    check_csrf(who, csrf)
    require_role(who, "reviewer")
    with svc.store.write() as s:
        triage.mark_duplicate(s, reference, of.strip(), f"reviewer:{who.username}", _now())
    return _done(reference)


@router.post("/reports/{reference}/void")
def void(
    reference: str,
    who: Reviewer,
    svc: Svc,
    csrf: CsrfField,
    reason: Annotated[str, Form(min_length=3, max_length=2000)],
) -> Response:
    check_csrf(who, csrf)
    require_role(who, "reviewer")
    with svc.store.write() as s:
        triage.void(s, reference, f"reviewer:{who.username}", reason, _now())
    return _done(reference)


@router.get("/reporters", response_class=HTMLResponse)
def reporters(request: Request, who: Reviewer, svc: Svc, done: str = "") -> Response:
    with svc.store.read() as s:
        rows = list(s.execute(select(ReporterRow)).scalars())
    rows.sort(key=lambda r: (r.reputation, -r.reports))
    return templates.TemplateResponse(
        request, "reporters.html", {"who": who, "reporters": rows[:500], "done": done}
    )


@router.post("/reporters/{reporter_id}/void")
def void_reporter(
    reporter_id: int,
    who: Reviewer,
    svc: Svc,
    csrf: CsrfField,
    reason: Annotated[str, Form(min_length=3, max_length=2000)],
    mute: Annotated[str, Form()] = "",
) -> Response:
    """Void every open report of one reporter at once: admins only (it undoes others' work)."""
    check_csrf(who, csrf)
    require_role(who, "admin")
    with svc.store.write() as s:
        n = triage.void_reporter(
            s, reporter_id, f"reviewer:{who.username}", reason, _now(), mute == "yes"
        )
    return RedirectResponse(f"/console/reporters?done={n}+reports+voided", status_code=303)


@router.post("/reporters/{reporter_id}/unmute")
def unmute(reporter_id: int, who: Reviewer, svc: Svc, csrf: CsrfField) -> Response:
    check_csrf(who, csrf)
    require_role(who, "admin")
    with svc.store.write() as s:
        if s.get(ReporterRow, reporter_id) is None:
            raise HTTPException(404, f"no reporter {reporter_id}")
        triage.unmute(s, reporter_id, f"reviewer:{who.username}", _now())
    return RedirectResponse("/console/reporters?done=unmuted", status_code=303)


def _now() -> datetime:
    return datetime.now(UTC)
