"""The console's tenant pages, ruleset page (draft diff and shadow results) and dashboard."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from aupguard.api.deps import Services, services
from aupguard.datadiff import diff_models
from aupguard.datafile import validate
from aupguard.enforce.appeals import overturn_rates
from aupguard.enforce.shadow import shadow_results
from aupguard.enforce.status import StatusCache
from aupguard.errors import PolicyError
from aupguard.reports.rates import rates
from aupguard.rules.model import Ruleset
from aupguard.store.models import Action, Case, CaseItem, IdentityRow, Tenant
from aupguard.tenantlinks import tenant_link
from aupguard.web.charts import bar_chart
from aupguard.web.guard import CsrfField, Reviewer, check_csrf, require_role
from aupguard.web.templating import templates

router = APIRouter(prefix="/console", include_in_schema=False)
Svc = Annotated[Services, Depends(services)]


@router.get("/tenants", response_class=HTMLResponse)
def tenants(request: Request, who: Reviewer, svc: Svc) -> Response:
    cache = StatusCache(svc.store)
    cache.refresh()
    with svc.store.read() as s:
        rows = list(s.execute(select(Tenant).order_by(Tenant.id)).scalars())
    return templates.TemplateResponse(
        request,
        "tenants.html",
        {"who": who, "tenants": [(t, cache.check(t.id, "*")) for t in rows]},
    )


@router.get("/tenants/{tenant_id}", response_class=HTMLResponse)
def tenant(request: Request, tenant_id: str, who: Reviewer, svc: Svc) -> Response:
    cache = StatusCache(svc.store)
    cache.refresh()
    with svc.store.read() as s:
        t = s.get(Tenant, tenant_id)
        if t is None:
            raise HTTPException(404, f"no tenant {tenant_id}")
        identities = list(
            s.execute(select(IdentityRow).where(IdentityRow.tenant_id == tenant_id)).scalars()
        )
        cases = list(
            s.execute(
                select(Case).where(Case.tenant_id == tenant_id).order_by(Case.id.desc())
            ).scalars()
        )
        actions = list(
            s.execute(
                select(Action).where(Action.tenant_id == tenant_id).order_by(Action.id.desc())
            ).scalars()
        )
        until = datetime.now(UTC)
        tenant_rates = rates(s, tenant_id, until - timedelta(days=30), until + timedelta(seconds=1))
    link = tenant_link(svc.settings, tenant_id) if who.role != "viewer" else None
    return templates.TemplateResponse(
        request,
        "tenant.html",
        {
            "who": who,
            "tenant": t,
            "identities": identities,
            "cases": cases,
            "actions": actions,
            "status": cache.check(tenant_id, "*"),
            "link": link,
            "rates": tenant_rates,
        },
    )


@router.get("/ruleset", response_class=HTMLResponse)
def ruleset(request: Request, who: Reviewer, svc: Svc) -> Response:
    return templates.TemplateResponse(
        request,
        "ruleset.html",
        {"who": who, "ruleset": svc.decider.ruleset, "draft": "", "result": None, "error": ""},
    )


@router.post("/ruleset/draft", response_class=HTMLResponse)
def draft(
    request: Request,
    who: Reviewer,
    svc: Svc,
    csrf: CsrfField,
    yaml_text: Annotated[str, Form(alias="draft", max_length=500_000)],
) -> Response:
    check_csrf(who, csrf)
    require_role(who, "reviewer")
    result, diff, error = None, [], ""
    try:
        candidate = validate(Ruleset, yaml_text, "draft")
        with svc.store.read() as s:
            result = shadow_results(s, candidate)
        diff = diff_models(svc.decider.ruleset, candidate)
    except PolicyError as exc:
        error = str(exc)
    return templates.TemplateResponse(
        request,
        "ruleset.html",
        {
            "who": who,
            "ruleset": svc.decider.ruleset,
            "draft": yaml_text,
            "result": result,
            "diff": diff,
            "error": error,
        },
    )


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(request: Request, who: Reviewer, svc: Svc, days: int = 30) -> Response:
    since = datetime.now(UTC) - timedelta(days=max(1, min(days, 365)))
    with svc.store.read() as s:
        violations = Counter(
            (c.clause, i.created_at.date().isoformat())
            for i, c in s.execute(
                select(CaseItem, Case)
                .join(Case, Case.id == CaseItem.case_id)
                .where(CaseItem.kind == "violation", CaseItem.created_at >= since)
            )
        )
        actions = Counter(
            (a.kind, a.created_at.date().isoformat())
            for a in s.execute(
                select(Action).where(  # an overturned action was still taken
                    Action.created_at >= since, Action.state.in_(("effective", "overturned"))
                )
            ).scalars()
        )
        by_clause, by_detector = overturn_rates(s)
    charts = {
        "Violations per clause": bar_chart(Counter({k[0]: v for k, v in _sum(violations).items()})),
        "Violations per day": bar_chart(Counter({k[1]: v for k, v in _sum(violations, 1).items()})),
        "Actions per kind": bar_chart(Counter({k[0]: v for k, v in _sum(actions).items()})),
        "Overturn rate per clause (%)": bar_chart(
            Counter({r.key: round(100 * r.rate) for r in by_clause})
        ),
    }
    return templates.TemplateResponse(
        request,
        "dashboard.html",
        {"who": who, "charts": charts, "by_detector": by_detector, "days": days},
    )


def _sum(counter: Counter[tuple[str, str]], index: int = 0) -> Counter[tuple[str, str]]:
    out: Counter[tuple[str, str]] = Counter()
    for key, n in counter.items():
        out[(key[index], key[index])] += n
    return out
