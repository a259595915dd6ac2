"""The public report form: no login, double-submit CSRF, a rate per source IP, a reference."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from aupguard.api.deps import Services, services
from aupguard.api.reportsink import intake_context, report_sink
from aupguard.reports.intake import take_submission
from aupguard.reports.listener import RateLimiter
from aupguard.web.templating import templates

router = APIRouter(include_in_schema=False)
Svc = Annotated[Services, Depends(services)]
REPORT_CSRF = "aupguard_report_csrf"
PER_MINUTE = 5  # form posts per source IP
LISTS = ("urls", "message_ids", "sending_ips", "phone_numbers", "sender_ids", "domains")
Text = Annotated[str, Form(max_length=20_000)]


def _limiter(request: Request) -> RateLimiter:
    limiter: RateLimiter | None = getattr(request.app.state, "report_form_rate", None)
    if limiter is None:
        limiter = RateLimiter(PER_MINUTE)
        request.app.state.report_form_rate = limiter
    return limiter


def _page(request: Request, svc: Services, status: int = 200, **values: object) -> Response:
    token = secrets.token_urlsafe(24)
    context = {
        "csrf": token,
        "clauses": svc.decider.engine.document.clauses,
        "form": {},
        "error": "",
        "reference": "",
        **values,
    }
    response = templates.TemplateResponse(request, "report_form.html", context, status_code=status)
    response.set_cookie(REPORT_CSRF, token, httponly=True, samesite="strict", max_age=3600)
    return response


@router.get("/report", response_class=HTMLResponse)
def report_form(request: Request, svc: Svc) -> Response:
    return _page(request, svc)


@router.post("/report", response_class=HTMLResponse)
async def submit(
    request: Request,
    svc: Svc,
    category: Annotated[str, Form(max_length=60)],
    description: Annotated[str, Form(max_length=5000)],
    csrf: Annotated[str, Form()] = "",
    reporter_email: Annotated[str, Form(max_length=254)] = "",
    reporter_name: Annotated[str, Form(max_length=200)] = "",
    urls: Text = "",
    message_ids: Text = "",
    sending_ips: Text = "",
    phone_numbers: Text = "",
    sender_ids: Text = "",
    domains: Text = "",
    original: Annotated[str, Form(max_length=256 * 1024)] = "",
) -> Response:
    cookie = request.cookies.get(REPORT_CSRF, "")
    if not csrf or not hmac.compare_digest(cookie, csrf):
        raise HTTPException(403, "missing or wrong CSRF token: reload the report form")
    source = request.client.host if request.client else "unknown"
    if not _limiter(request).allow(source):
        raise HTTPException(429, f"too many reports from {source}: try again in a minute")
    lines = {
        "urls": urls,
        "message_ids": message_ids,
        "sending_ips": sending_ips,
        "phone_numbers": phone_numbers,
        "sender_ids": sender_ids,
        "domains": domains,
    }
    data: dict[str, object] = {"category": category, "description": description}
    data |= {
        k: v
        for k, v in (("reporter_email", reporter_email), ("reporter_name", reporter_name))
        if v.strip()
    }
    data |= {
        k: [x.strip() for x in v.splitlines() if x.strip()] for k, v in lines.items() if v.strip()
    }
    if original.strip():
        data["original"] = original
    sink = report_sink(request, svc, "form")
    receipt = await run_in_threadpool(
        take_submission, data, intake_context(svc, request), sink, "form"
    )
    form = {
        "category": category,
        "description": description,
        "reporter_email": reporter_email,
        "reporter_name": reporter_name,
        "original": original,
        **lines,
    }
    if receipt.status == "rejected":
        return _page(
            request, svc, 422, form=form, error=receipt.detail, reference=receipt.reference
        )
    return _page(request, svc, reference=receipt.reference)
