"""The console's case queue and case pages: evidence, history, actions, reveal, bulk."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from aupguard.api.deps import Services, services
from aupguard.api.schemas import Id, PathId
from aupguard.audit.chain import append as audit
from aupguard.enforce.actions import ActionRequest, approve, take
from aupguard.enforce.cases import add_item, set_state
from aupguard.enforce.evidence import evidence_of
from aupguard.enforce.status import StatusCache
from aupguard.errors import AupguardError
from aupguard.store.models import Action, Case, CaseItem, VerdictRecord
from aupguard.store.models.cases import OPEN_STATES
from aupguard.web.guard import CsrfField, Reviewer, check_csrf, require_role
from aupguard.web.routes_appeals import appeals_with_actions
from aupguard.web.templating import templates

router = APIRouter(prefix="/console", include_in_schema=False)
Svc = Annotated[Services, Depends(services)]


@router.get("", response_class=HTMLResponse)
def queue(
    request: Request,
    who: Reviewer,
    svc: Svc,
    clause: str = "",
    tenant: str = "",
    state: str = "open",
) -> Response:
    q = select(Case).order_by(Case.severity.desc(), Case.due_at, Case.id)
    q = (
        q.where(Case.state.in_(OPEN_STATES))
        if state == "open"
        else (q if state == "all" else q.where(Case.state == state))
    )
    if clause:
        q = q.where(Case.clause == clause)
    if tenant:
        q = q.where(Case.tenant_id == tenant)
    with svc.store.read() as s:
        cases = list(s.execute(q.limit(500)).scalars())
    return templates.TemplateResponse(
        request,
        "queue.html",
        {
            "who": who,
            "cases": cases,
            "clauses": list(svc.decider.ruleset.clauses),
            "filters": {"clause": clause, "tenant": tenant, "state": state},
        },
    )


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    request: Request, case_id: PathId, who: Reviewer, svc: Svc, revealed: str = ""
) -> Response:
    with svc.store.read() as s:
        case = s.get(Case, case_id)
        if case is None:
            raise HTTPException(404, f"no case {case_id}")
        items = list(
            s.execute(
                select(CaseItem).where(CaseItem.case_id == case_id).order_by(CaseItem.id)
            ).scalars()
        )
        events = [i.ref for i in items if i.kind == "violation"]
        verdicts = list(
            s.execute(
                select(VerdictRecord)
                .where(VerdictRecord.event_id.in_(events))
                .order_by(VerdictRecord.time)
            ).scalars()
        )
        actions = list(
            s.execute(
                select(Action).where(Action.tenant_id == case.tenant_id).order_by(Action.id.desc())
            ).scalars()
        )
        history = list(
            s.execute(
                select(Case).where(Case.tenant_id == case.tenant_id).order_by(Case.id.desc())
            ).scalars()
        )
        held = [
            (e.id, e.part, e.media_type, e.sha256, e.legal_hold) for e in evidence_of(s, case_id)
        ]
        appeals = appeals_with_actions(s, case.tenant_id)
    cache = StatusCache(svc.store)
    cache.refresh()
    return templates.TemplateResponse(
        request,
        "case.html",
        {
            "who": who,
            "case": case,
            "items": items,
            "verdicts": verdicts,
            "actions": actions,
            "history": history,
            "appeals": appeals,
            "status": cache.check(case.tenant_id, "*"),
            "clause": svc.decider.engine.document.by_id.get(case.clause),
            "revealed": revealed,
            "held": held,
        },
    )


@router.post("/cases/{case_id}/act")
def act(
    case_id: PathId,
    who: Reviewer,
    svc: Svc,
    csrf: CsrfField,
    kind: Annotated[str, Form()],
    reason: Annotated[str, Form(min_length=3, max_length=2000)],
    confirm: Annotated[str, Form()] = "",
    scope: Annotated[str, Form()] = "tenant",
    target: Annotated[str, Form()] = "*",
) -> Response:
    check_csrf(who, csrf)
    require_role(who, "reviewer")
    if confirm != "yes":
        raise HTTPException(422, "tick the confirmation box to take an action")
    now = datetime.now(UTC)
    with svc.store.write() as s:
        case = s.get(Case, case_id)
        if case is None:
            raise HTTPException(404, f"no case {case_id}")
        state = "pending_approval" if kind == "terminate" else "effective"
        take(
            s,
            ActionRequest(
                case.tenant_id,
                kind,
                f"reviewer:{who.username}",
                reason,
                False,
                scope,
                target,
                "block" if kind == "restrict" else None,
                case.clause,
                case,
                (reason,),
                state,
            ),
            svc.decider.engine.document,
            now,
            svc.settings,
        )
    svc.decider.status.refresh()
    return RedirectResponse(f"/console/cases/{case_id}", status_code=303)


@router.post("/actions/{action_id}/approve")
def approve_action(action_id: PathId, who: Reviewer, svc: Svc, csrf: CsrfField) -> Response:
    check_csrf(who, csrf)
    require_role(who, "reviewer")
    with svc.store.write() as s:
        action = approve(
            s,
            action_id,
            f"reviewer:{who.username}",
            datetime.now(UTC),
            svc.decider.engine.document,
            svc.settings,
        )
        case_id = action.case_id
    svc.decider.status.refresh()
    return RedirectResponse(f"/console/cases/{case_id}" if case_id else "/console", status_code=303)


@router.post("/cases/{case_id}/state")
def change_state(
    case_id: PathId,
    who: Reviewer,
    svc: Svc,
    csrf: CsrfField,
    state: Annotated[str, Form()],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    check_csrf(who, csrf)
    require_role(who, "reviewer")
    with svc.store.write() as s:
        set_state(
            s, case_id, state, actor=f"reviewer:{who.username}", now=datetime.now(UTC), note=note
        )
    return RedirectResponse(f"/console/cases/{case_id}", status_code=303)


@router.post("/cases/{case_id}/note")
def note(
    case_id: PathId,
    who: Reviewer,
    svc: Svc,
    csrf: CsrfField,
    text: Annotated[str, Form(min_length=1, max_length=5000)],
) -> Response:
    check_csrf(who, csrf)
    require_role(who, "reviewer")
    now = datetime.now(UTC)
    with svc.store.write() as s:
        case = s.get(Case, case_id)
        if case is None:
            raise HTTPException(404, f"no case {case_id}")
        add_item(
            s,
            case,
            "note",
            f"note:{now.isoformat()}",
            f"reviewer:{who.username}",
            {"text": text},
            now,
        )
    return RedirectResponse(f"/console/cases/{case_id}", status_code=303)


@router.post("/cases/{case_id}/reveal/{verdict_id}")
def reveal(
    request: Request, case_id: PathId, verdict_id: PathId, who: Reviewer, svc: Svc, csrf: CsrfField
) -> Response:
    """Show an original message: only for reviewers and admins, and every reveal is audited."""
    check_csrf(who, csrf)
    require_role(who, "reviewer")
    with svc.store.write() as s:
        row = s.get(VerdictRecord, verdict_id)
        if row is None:
            raise HTTPException(404, f"no verdict {verdict_id}")
        case = s.get(Case, case_id)
        if case is not None and case.legal_hold:
            # Restricted: the original may hold the material itself; only blurred media show.
            raise HTTPException(403, "the case is under legal hold: originals are not shown")
        audit(
            s,
            actor=f"reviewer:{who.username}",
            kind="original.reveal",
            subject=f"verdict:{verdict_id}",
            data={"case": case_id},
        )
        text = "not retained (originals are kept only when a retention period is set)"
        if row.original is not None:
            import base64

            from cryptography.fernet import Fernet

            key = base64.urlsafe_b64encode(svc.settings.secret("originals")[:32])
            text = Fernet(key).decrypt(row.original).decode("utf-8", "replace")
    return templates.TemplateResponse(
        request, "reveal.html", {"who": who, "case_id": case_id, "text": text}
    )


@router.post("/bulk")
def bulk(
    who: Reviewer,
    svc: Svc,
    csrf: CsrfField,
    kind: Annotated[str, Form()],
    reason: Annotated[str, Form(min_length=3)],
    case_ids: Annotated[list[Id], Form()],
) -> Response:
    """Bulk actions wait for a second person, like terminations."""
    check_csrf(who, csrf)
    require_role(who, "reviewer")
    with svc.store.write() as s:
        for case_id in case_ids:
            case = s.get(Case, case_id)
            if case is None:
                continue
            try:
                take(
                    s,
                    ActionRequest(
                        case.tenant_id,
                        kind,
                        f"reviewer:{who.username}",
                        reason,
                        False,
                        clause=case.clause,
                        case=case,
                        facts=(reason,),
                        state="pending_approval",
                    ),
                    svc.decider.engine.document,
                    datetime.now(UTC),
                    svc.settings,
                )
            except AupguardError as exc:
                raise HTTPException(409, str(exc)) from None
    return RedirectResponse("/console", status_code=303)
