"""What a person does with reports: resolve to a tenant, mark duplicate, void, void in bulk.

Every change is audited. Resolving files the report in the tenant's case (and counts it
when it is authenticated); voiding takes it out of counting, and a muted reporter's new
reports are voided on arrival. A strike already made from reports stays: appeals remove
strikes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from aupguard.audit.chain import append as audit
from aupguard.enforce.cases import add_item
from aupguard.errors import EnforcementError, NotFound
from aupguard.reports import reporters
from aupguard.reports.casefile import file_in_case
from aupguard.reports.escalate import Policy, count, escalate
from aupguard.store.models import Case, ReporterRow, ReportRow, Tenant

OPEN = ("triage", "resolved")


def get_report(session: Session, reference: str) -> ReportRow:
    row = session.execute(select(ReportRow).where(ReportRow.reference == reference)).scalar()
    if row is None:
        raise NotFound(f"no report {reference!r} (references look like rpt-... or rej-...)")
    return row


def resolve_to(
    session: Session,
    reference: str,
    tenant_id: str,
    clause: str | None,
    actor: str,
    policy: Policy,
    now: datetime,
    note: str = "",
) -> ReportRow:
    """A reviewer says which tenant (and clause) a report is about: it joins that case."""
    row = get_report(session, reference)
    if row.state not in ("triage", "voided"):
        raise EnforcementError(f"report {reference} is {row.state}; only triage or voided ones")
    if session.get(Tenant, tenant_id) is None:
        raise NotFound(f"no tenant {tenant_id!r}")
    clause = clause or row.clause
    if clause is None or clause not in policy.document.by_id:
        known = ", ".join(policy.document.by_id)
        raise EnforcementError(f"name the clause this report is about (one of: {known})")
    old = row.state
    if tenant_id != row.tenant_id:
        row.resolved_how, row.event_id, row.identity, row.campaign = "reviewer", None, None, None
    row.tenant_id, row.clause, row.state = tenant_id, clause, "resolved"
    row.decided_by, row.note, row.updated_at = actor, note or row.note, now
    reporters.moved(session, row.reporter_id, old, "resolved")
    if row.route != "rates":
        count(session, row, True, policy)
        file_in_case(session, row, clause, actor, policy.document, policy.settings, now)
        escalate(session, row, policy)
    audit(
        session,
        actor=actor,
        kind="report.resolve",
        subject=f"report:{row.reference}",
        data={"tenant": tenant_id, "clause": clause},
        time=now,
    )
    return row


def mark_duplicate(
    session: Session, reference: str, of: str, actor: str, now: datetime
) -> ReportRow:
    """Same incident as `of`: it adds nothing more (and stops counting)."""
    row = get_report(session, reference)
    first = get_report(session, of)
    if first.id == row.id:
        raise EnforcementError("a report cannot be a duplicate of itself")
    if row.state not in OPEN:
        raise EnforcementError(f"report {reference} is {row.state}; only triage or resolved ones")
    _leave(session, row, "duplicate", actor, now, f"same incident as {first.reference}")
    row.duplicate_of = first.duplicate_of or first.id
    audit(
        session,
        actor=actor,
        kind="report.duplicate",
        subject=f"report:{reference}",
        data={"of": first.reference},
        time=now,
    )
    return row


def void(session: Session, reference: str, actor: str, reason: str, now: datetime) -> ReportRow:
    row = get_report(session, reference)
    if row.state not in OPEN:
        raise EnforcementError(f"report {reference} is {row.state}; only triage or resolved ones")
    _leave(session, row, "voided", actor, now, reason)
    audit(
        session,
        actor=actor,
        kind="report.void",
        subject=f"report:{reference}",
        data={"reason": reason[:200]},
        time=now,
    )
    return row


def void_reporter(
    session: Session, reporter_id: int, actor: str, reason: str, now: datetime, mute: bool = False
) -> int:
    """Void every open report of one reporter at once (a flood in bad faith); optionally mute
    it so that what it sends next is voided on arrival. Returns how many were voided."""
    reporter = session.get(ReporterRow, reporter_id)
    if reporter is None:
        raise NotFound(f"no reporter {reporter_id}")
    rows = list(
        session.execute(
            select(ReportRow).where(ReportRow.reporter_id == reporter_id, ReportRow.state.in_(OPEN))
        ).scalars()
    )
    for row in rows:
        _leave(session, row, "voided", actor, now, reason)
    if mute:
        reporter.muted, reporter.muted_by = True, actor
    audit(
        session,
        actor=actor,
        kind="reports.void_bulk",
        subject=f"reporter:{reporter_id}",
        data={"voided": len(rows), "mute": mute, "reason": reason[:200]},
        time=now,
    )
    return len(rows)


def unmute(session: Session, reporter_id: int, actor: str, now: datetime) -> None:
    session.execute(
        update(ReporterRow).where(ReporterRow.id == reporter_id).values(muted=False, muted_by=None)
    )
    audit(session, actor=actor, kind="reporter.unmute", subject=f"reporter:{reporter_id}", time=now)


def _leave(
    session: Session, row: ReportRow, state: str, actor: str, now: datetime, why: str
) -> None:
    """Move a report out of the open states; a filed one leaves a note in its case."""
    old = row.state
    row.state, row.decided_by, row.note, row.updated_at = state, actor, why[:2000], now
    if row.counted:
        row.counted = False
        row.count_note = f"{state} by {actor}" + (
            f"; the strike it made up ({row.strike_ref}) stays" if row.strike_ref else ""
        )
    reporters.moved(session, row.reporter_id, old, state)
    case = session.get(Case, row.case_id) if row.case_id else None
    if case is not None:
        add_item(
            session,
            case,
            "note",
            f"report:{row.reference}:{state}",
            actor,
            {"note": f"report {row.reference} {state}: {why[:300]}"},
            now,
        )
