"""Cases, their items and actions; notes, state changes, manual actions, approvals."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select

from aupguard.api.deps import Services, require, services
from aupguard.api.problems import responses
from aupguard.api.schemas import (
    MAX_ID,
    ActionIn,
    ActionOut,
    CaseDetail,
    CaseOut,
    ItemOut,
    NoteIn,
    Page,
    PathId,
    StateIn,
)
from aupguard.api.security import Caller
from aupguard.enforce.actions import ActionRequest, approve, take
from aupguard.enforce.cases import add_item, set_state
from aupguard.errors import NotFound
from aupguard.store.models import Action, Case, CaseItem
from aupguard.store.models.cases import OPEN_STATES

router = APIRouter(prefix="/v1", tags=["cases"], responses=responses(404, 409))
Admin = Annotated[Caller, Depends(require("admin"))]
Svc = Annotated[Services, Depends(services)]


@router.get("/cases", response_model=Page, summary="The case queue: severity, then due time")
def list_cases(
    caller: Admin,
    svc: Svc,
    state: Annotated[
        str, Query(pattern="^(open|all|in_review|actioned|dismissed|closed)$")
    ] = "open",
    tenant: Annotated[str | None, Query(max_length=64)] = None,
    clause: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None,
) -> Page:
    q = select(Case).order_by(Case.severity.desc(), Case.due_at, Case.id)
    if state == "open":
        q = q.where(Case.state.in_(OPEN_STATES))
    elif state != "all":
        q = q.where(Case.state == state)
    if tenant:
        q = q.where(Case.tenant_id == tenant)
    if clause:
        q = q.where(Case.clause == clause)
    with svc.store.read() as s:
        rows = list(s.execute(q.offset(cursor or 0).limit(limit + 1)).scalars())
        items = [CaseOut.model_validate(c) for c in rows[:limit]]
    nxt = str((cursor or 0) + limit) if len(rows) > limit else None
    return Page(items=items, next_cursor=nxt)


def _case(svc: Services, case_id: int) -> CaseDetail:
    with svc.store.read() as s:
        case = s.get(Case, case_id)
        if case is None:
            raise NotFound(f"no case {case_id}")
        items = s.execute(select(CaseItem).where(CaseItem.case_id == case_id).order_by(CaseItem.id))
        actions = s.execute(select(Action).where(Action.case_id == case_id).order_by(Action.id))
        return CaseDetail(
            **CaseOut.model_validate(case).model_dump(),
            items=[ItemOut.model_validate(i) for i in items.scalars()],
            actions=[ActionOut.model_validate(a) for a in actions.scalars()],
        )


@router.get("/cases/{case_id}", response_model=CaseDetail, summary="One case with its story")
def get_case(case_id: PathId, caller: Admin, svc: Svc) -> CaseDetail:
    return _case(svc, case_id)


@router.post("/cases/{case_id}/notes", response_model=CaseDetail, summary="Add a note")
def note(case_id: PathId, body: NoteIn, caller: Admin, svc: Svc) -> CaseDetail:
    now = datetime.now(UTC)
    with svc.store.write() as s:
        case = s.get(Case, case_id)
        if case is None:
            raise NotFound(f"no case {case_id}")
        add_item(s, case, "note", f"note:{now.isoformat()}", caller.actor, {"text": body.text}, now)
    return _case(svc, case_id)


@router.post("/cases/{case_id}/state", response_model=CaseDetail, summary="Change state")
def change_state(case_id: PathId, body: StateIn, caller: Admin, svc: Svc) -> CaseDetail:
    with svc.store.write() as s:
        set_state(s, case_id, body.state, actor=caller.actor, now=datetime.now(UTC), note=body.note)
    return _case(svc, case_id)


@router.post(
    "/actions",
    response_model=ActionOut,
    status_code=201,
    summary="Take an action (terminations wait for a second person)",
)
def act(body: ActionIn, caller: Admin, svc: Svc) -> ActionOut:
    with svc.store.write() as s:
        case = s.get(Case, body.case_id) if body.case_id else None
        if body.case_id and case is None:
            raise NotFound(f"no case {body.case_id}")
        pending = body.kind == "terminate"
        action = take(
            s,
            ActionRequest(
                body.tenant_id,
                body.kind,
                caller.actor,
                body.reason,
                False,
                body.scope,
                body.target,
                body.restriction,
                body.clause,
                case,
                (body.reason,),
                "pending_approval" if pending else "effective",
            ),
            svc.decider.engine.document,
            datetime.now(UTC),
            svc.settings,
        )
        out = ActionOut.model_validate(action)
    svc.decider.status.refresh()
    return out


@router.post(
    "/actions/{action_id}/approve", response_model=ActionOut, summary="Second-person approval"
)
def approve_action(action_id: PathId, caller: Admin, svc: Svc) -> ActionOut:
    with svc.store.write() as s:
        out = ActionOut.model_validate(
            approve(
                s,
                action_id,
                caller.actor,
                datetime.now(UTC),
                svc.decider.engine.document,
                svc.settings,
            )
        )
    svc.decider.status.refresh()
    return out
