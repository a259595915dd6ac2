"""Cases: one open case per tenant and clause, with items, due times and states."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aupguard.audit.chain import append as audit
from aupguard.errors import EnforcementError, NotFound
from aupguard.store.models import Case, CaseItem
from aupguard.store.models.cases import OPEN_STATES

DUE = {4: timedelta(hours=4), 3: timedelta(hours=24), 2: timedelta(hours=72), 1: timedelta(days=7)}
FAST_REVIEW = timedelta(hours=1)
TRANSITIONS = {
    "open": {"in_review", "actioned", "dismissed", "closed"},
    "in_review": {"open", "actioned", "dismissed", "closed"},
    "actioned": {"in_review", "closed"},
    "dismissed": {"open"},
    "closed": {"open"},
}


def open_case(
    session: Session,
    tenant_id: str,
    clause: str,
    severity: int,
    now: datetime,
    reopen_within: timedelta = timedelta(days=90),
) -> Case:
    """The open case for (tenant, clause); a recently closed one is reopened, else a new one."""
    found = session.execute(
        select(Case).where(
            Case.tenant_id == tenant_id, Case.clause == clause, Case.state.in_(OPEN_STATES)
        )
    ).scalar()
    if found is not None:
        return found
    recent = session.execute(
        select(Case)
        .where(
            Case.tenant_id == tenant_id,
            Case.clause == clause,
            Case.closed_at >= now - reopen_within,
        )
        .order_by(Case.closed_at.desc())
        .limit(1)
    ).scalar()
    if recent is not None:
        recent.state, recent.closed_at, recent.updated_at = "open", None, now
        recent.due_at = now + DUE.get(severity, DUE[2])
        audit(session, actor="system", kind="case.reopen", subject=f"case:{recent.id}")
        return recent
    case = Case(
        tenant_id=tenant_id,
        clause=clause,
        state="open",
        severity=severity,
        opened_at=now,
        due_at=now + DUE.get(severity, DUE[2]),
        updated_at=now,
    )
    try:
        with session.begin_nested():
            session.add(case)
    except IntegrityError:  # another process opened it first: use theirs
        return open_case(session, tenant_id, clause, severity, now, reopen_within)
    audit(
        session,
        actor="system",
        kind="case.open",
        subject=f"case:{case.id}",
        data={"tenant": tenant_id, "clause": clause},
    )
    return case


def add_item(
    session: Session,
    case: Case,
    kind: str,
    ref: str,
    actor: str,
    body: dict[str, Any],
    now: datetime,
) -> bool:
    """Attach an item once (the same event or report twice adds nothing)."""
    exists = session.execute(
        select(CaseItem.id).where(
            CaseItem.case_id == case.id, CaseItem.kind == kind, CaseItem.ref == ref
        )
    ).first()
    if exists is not None:
        return False
    session.add(
        CaseItem(case_id=case.id, kind=kind, ref=ref, actor=actor, body=body, created_at=now)
    )
    case.updated_at = now
    session.flush()
    return True


def mark_fast_review(case: Case, now: datetime) -> None:
    case.needs_fast_review = True
    case.due_at = min(case.due_at, now + FAST_REVIEW)


def set_state(
    session: Session, case_id: int, state: str, *, actor: str, now: datetime, note: str = ""
) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(f"no case {case_id}")
    if state not in TRANSITIONS.get(case.state, set()):
        raise EnforcementError(f"case {case.ref} is {case.state}; it cannot become {state}")
    case.state, case.updated_at = state, now
    case.closed_at = now if state in ("dismissed", "closed") else None
    add_item(
        session,
        case,
        "note",
        f"state:{state}:{now.isoformat()}",
        actor,
        {"state": state, "note": note},
        now,
    )
    audit(session, actor=actor, kind="case.state", subject=f"case:{case.id}", data={"state": state})
    return case


def distinct_violations(session: Session, case: Case) -> int:
    return len(
        session.execute(
            select(CaseItem.ref).where(CaseItem.case_id == case.id, CaseItem.kind == "violation")
        ).all()
    )
