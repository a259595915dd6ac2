"""Taking actions: the record, the status change, the notice and the audit entry, together."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from aupguard.audit.chain import append as audit
from aupguard.aup.model import AupDocument
from aupguard.enforce import status
from aupguard.enforce.cases import add_item
from aupguard.errors import EnforcementError, NotFound
from aupguard.notify.notices import ActionNotice, AppealRoute, ClauseText
from aupguard.notify.route import notify_tenant
from aupguard.notify.templates import render
from aupguard.settings import Settings
from aupguard.store.models import Action, Case, Tenant
from aupguard.tenantlinks import tenant_link

KINDS = ("warn", "restrict", "suspend", "terminate", "reinstate")


@dataclass(frozen=True, slots=True)
class ActionRequest:
    tenant_id: str
    kind: str
    actor: str
    reason: str
    automated: bool
    scope: str = "tenant"
    target: str = "*"
    restriction: str | None = None
    clause: str | None = None
    case: Case | None = None
    facts: tuple[str, ...] = field(default_factory=tuple)
    state: str = "effective"  # effective, pending_approval, shadow, braked


def take(
    session: Session, req: ActionRequest, document: AupDocument, now: datetime, settings: Settings
) -> Action:
    if req.kind not in KINDS:
        raise EnforcementError(f"unknown action {req.kind!r}; expected one of {', '.join(KINDS)}")
    tenant = session.get(Tenant, req.tenant_id)
    if tenant is None:
        raise NotFound(f"no tenant {req.tenant_id!r}")
    clause = document.by_id.get(req.clause or "")
    case_ref = req.case.ref if req.case else "none"
    statement = {
        "action": req.kind,
        "scope": f"{req.scope} {req.target}".strip(),
        "clause": req.clause or "",
        "clause_title": clause.title if clause else "",
        "clause_text": clause.text if clause else "",
        "facts": list(req.facts) or [req.reason],
        "automated": req.automated,
        "case_ref": case_ref,
        "document_version": document.version,
        "appeal": f"{tenant_link(settings, req.tenant_id)} (case {case_ref}), or reply to "
        "this notice within 30 days; a person reviews every appeal.",
    }
    action = Action(
        tenant_id=req.tenant_id,
        kind=req.kind,
        scope=req.scope,
        target=req.target,
        restriction=req.restriction,
        clause=req.clause,
        case_id=req.case.id if req.case else None,
        actor=req.actor,
        automated=req.automated,
        state=req.state,
        reason=req.reason[:2000],
        statement=statement,
        created_at=now,
    )
    session.add(action)
    session.flush()
    audit(
        session,
        actor=req.actor,
        kind=f"action.{req.kind}",
        subject=f"action:{action.id}",
        data={
            "tenant": req.tenant_id,
            "state": req.state,
            "case": case_ref,
            "clause": req.clause,
            "automated": req.automated,
        },
        time=now,
    )
    if req.case is not None:
        add_item(
            session,
            req.case,
            "action",
            str(action.id),
            req.actor,
            {"kind": req.kind, "state": req.state},
            now,
        )
        if req.state == "effective" and req.kind != "reinstate":
            req.case.state = "actioned"
    if req.state == "effective":
        _make_effective(session, action, tenant, now, document, settings)
    return action


def _make_effective(
    session: Session,
    action: Action,
    tenant: Tenant,
    now: datetime,
    document: AupDocument,
    settings: Settings,
) -> None:
    status.recompute(session, action.tenant_id, now)
    st = action.statement
    clause_id = action.clause if action.clause in document.by_id else None
    notice = ActionNotice(
        tenant_name=tenant.name,
        action_ref=f"A-{action.id:06d}",
        action=action.kind,  # type: ignore[arg-type]
        scope=action.scope,  # type: ignore[arg-type]
        target=action.target,
        effective_at=now,
        case_ref=st.get("case_ref", "none"),
        clause=ClauseText.of(document, clause_id)
        if clause_id
        else ClauseText("", "(no clause)", "", document.version),
        facts=tuple(st.get("facts", ())),
        evidence=(),
        detected_automatically=action.automated,
        decided_automatically=action.automated,
        what_next="A person reviews every appeal; you will hear the outcome by e-mail.",
        appeal=None
        if action.kind == "reinstate"
        else AppealRoute(st.get("case_ref", "none"), tenant_link(settings, action.tenant_id)),
        restriction=action.restriction,
    )
    notify_tenant(session, tenant, render(notice), dedup_key=f"action:{action.id}", now=now)


def approve(
    session: Session,
    action_id: int,
    approver: str,
    now: datetime,
    document: AupDocument,
    settings: Settings,
) -> Action:
    """A second person makes a pending action (termination, bulk) effective."""
    action = session.get(Action, action_id)
    if action is None:
        raise NotFound(f"no action {action_id}")
    if action.state != "pending_approval":
        raise EnforcementError(f"action {action_id} is {action.state}, not pending approval")
    if approver == action.actor:
        raise EnforcementError("a second person must approve: the approver proposed this action")
    action.state, action.approved_by = "effective", approver
    audit(session, actor=approver, kind="action.approve", subject=f"action:{action.id}", time=now)
    tenant = session.get(Tenant, action.tenant_id)
    assert tenant is not None
    _make_effective(session, action, tenant, now, document, settings)
    return action
