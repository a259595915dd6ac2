"""Appeals: a tenant contests an action; a reviewer upholds or overturns it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from aupguard.audit.chain import append as audit
from aupguard.aup.model import AupDocument
from aupguard.enforce.actions import ActionRequest, take
from aupguard.errors import EnforcementError, NotFound
from aupguard.notify.notices import AppealOutcomeNotice
from aupguard.notify.route import notify_tenant
from aupguard.notify.templates import render
from aupguard.settings import Settings
from aupguard.store.models import Action, Appeal, Case, Strike, Tenant


def file_appeal(
    session: Session, action_id: int, tenant_id: str, statement: str, now: datetime
) -> Appeal:
    action = session.get(Action, action_id)
    if action is None or action.tenant_id != tenant_id:
        raise NotFound(f"tenant {tenant_id!r} has no action {action_id}")
    if action.state != "effective" or action.kind == "reinstate":
        raise EnforcementError(
            f"action {action_id} is {action.state}; only actions in force can be appealed"
        )
    pending = session.execute(
        select(Appeal).where(Appeal.action_id == action_id, Appeal.state == "open")
    ).scalar()
    if pending is not None:
        return pending
    appeal = Appeal(
        action_id=action_id,
        tenant_id=tenant_id,
        statement=statement[:5000],
        state="open",
        created_at=now,
    )
    session.add(appeal)
    session.flush()
    audit(
        session,
        actor=f"tenant:{tenant_id}",
        kind="appeal.file",
        subject=f"appeal:{appeal.id}",
        data={"action": action_id},
        time=now,
    )
    return appeal


def decide_appeal(
    session: Session,
    appeal_id: int,
    reviewer: str,
    overturn: bool,
    reason: str,
    document: AupDocument,
    now: datetime,
    settings: Settings,
) -> Appeal:
    """Uphold, or overturn: reinstate, remove the strikes, tell the tenant."""
    appeal = session.get(Appeal, appeal_id)
    if appeal is None:
        raise NotFound(f"no appeal {appeal_id}")
    if appeal.state != "open":
        raise EnforcementError(f"appeal {appeal_id} was decided already ({appeal.state})")
    action = session.get(Action, appeal.action_id)
    assert action is not None
    appeal.state = "overturned" if overturn else "upheld"
    appeal.reviewer, appeal.decision_reason, appeal.decided_at = reviewer, reason[:2000], now
    audit(
        session,
        actor=reviewer,
        kind=f"appeal.{appeal.state}",
        subject=f"appeal:{appeal.id}",
        data={"action": action.id},
        time=now,
    )
    if overturn:
        action.state = "overturned"
        case = session.get(Case, action.case_id) if action.case_id else None
        if case is not None:
            strikes = session.execute(
                select(Strike).where(Strike.case_id == case.id, Strike.removed_by.is_(None))
            ).scalars()
            for strike in strikes:
                strike.removed_by = appeal.id
        take(
            session,
            ActionRequest(
                tenant_id=action.tenant_id,
                kind="reinstate",
                actor=reviewer,
                automated=False,
                reason=f"appeal {appeal.id} overturned action {action.id}: {reason}",
                scope=action.scope,
                target=action.target,
                clause=action.clause,
                case=case,
                facts=(f"Appeal {appeal.id} was upheld in your favour: {reason}",),
            ),
            document,
            now,
            settings,
        )
        if case is not None:
            case.state, case.closed_at = "closed", now
    tenant = session.get(Tenant, appeal.tenant_id)
    assert tenant is not None
    case_ref = f"AUP-{action.case_id:06d}" if action.case_id else "none"
    outcome = AppealOutcomeNotice(
        tenant_name=tenant.name,
        appeal_ref=f"P-{appeal.id:06d}",
        action_ref=f"A-{action.id:06d}",
        case_ref=case_ref,
        outcome=appeal.state,  # type: ignore[arg-type]
        reason=reason,
        decided_at=now,
        what_next="Your service is reinstated." if overturn else "The action stays in force.",
    )
    notify_tenant(session, tenant, render(outcome), dedup_key=f"appeal:{appeal.id}", now=now)
    return appeal


@dataclass(frozen=True, slots=True)
class OverturnRate:
    key: str  # clause or detector@version
    decided: int
    overturned: int

    @property
    def rate(self) -> float:
        return self.overturned / self.decided if self.decided else 0.0


def overturn_rates(session: Session) -> tuple[list[OverturnRate], list[OverturnRate]]:
    """Decided appeals per clause and per contributing detector version."""
    by_clause: dict[str, list[int]] = {}
    by_detector: dict[str, list[int]] = {}
    rows = session.execute(
        select(Appeal, Action)
        .join(Action, Action.id == Appeal.action_id)
        .where(Appeal.state != "open")
    ).all()
    for appeal, action in rows:
        hit = int(appeal.state == "overturned")
        counts = by_clause.setdefault(action.clause or "none", [0, 0])
        counts[0] += 1
        counts[1] += hit
        if action.case_id is None:
            continue
        detectors: set[str] = set()
        for strike in session.execute(select(Strike).where(Strike.case_id == action.case_id)):
            detectors.update(strike[0].detectors)
        for det in detectors:
            c = by_detector.setdefault(det, [0, 0])
            c[0] += 1
            c[1] += hit

    def rates(table: dict[str, list[int]]) -> list[OverturnRate]:
        return [OverturnRate(k, v[0], v[1]) for k, v in sorted(table.items())]

    return rates(by_clause), rates(by_detector)
