"""A resolved report joins its tenant's case for the clause; the tenant hears of it, redacted.

Everything that leaves for the tenant (the case item a tenant-facing page may show, the
notice) is built from the redacted copy taken at intake (`redact.py`): no reporter name,
address, IP or own report id, no recipient of the reported message.
"""

from __future__ import annotations

from datetime import datetime
from email.parser import Parser
from email.policy import compat32
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from aupguard.aup.model import AupDocument
from aupguard.enforce.cases import add_item, open_case
from aupguard.notify.notices import ClauseText, EvidenceLine, ViolationNotice
from aupguard.notify.route import notify_tenant
from aupguard.notify.templates import render
from aupguard.privacy import mask_pii
from aupguard.settings import Settings
from aupguard.store.models import Case, ReportRow, Tenant

KIND_NAMES = {
    "arf": "feedback-loop report",
    "xarf": "X-ARF abuse report",
    "dmarc-failure": "DMARC failure report",
    "dsn": "bounce",
    "complaint": "complaint to our abuse mailbox",
    "form": "report through our web form",
    "api": "report through our API",
}


def case_item_body(row: ReportRow) -> dict[str, Any]:
    """What the case records of a report: facts and the redacted summary, never the reporter."""
    return {
        "kind": row.kind,
        "type": row.mapping_key,
        "authenticated": row.authenticated,
        "provider": row.provider if row.authenticated else None,
        "resolved_how": row.resolved_how,
        "event_id": row.event_id,
        "campaign": row.campaign,
        "counted": row.counted,
        "summary": (row.facts or {}).get("tenant_summary", ""),
    }


def file_in_case(
    session: Session,
    row: ReportRow,
    clause_id: str,
    actor: str,
    document: AupDocument,
    settings: Settings,
    now: datetime,
) -> Case:
    """Attach the report to the open case for (tenant, clause) once, and tell the tenant."""
    assert row.tenant_id is not None
    # The tenant row first, as decisions lock it: the same order everywhere, no deadlock.
    session.execute(select(Tenant).where(Tenant.id == row.tenant_id).with_for_update()).scalar()
    clause = document.by_id.get(clause_id)
    case = open_case(session, row.tenant_id, clause_id, clause.severity if clause else 2, now)
    row.case_id = case.id
    add_item(session, case, "report", row.reference, actor, case_item_body(row), now)
    tenant = session.get(Tenant, row.tenant_id)
    if tenant is not None and clause is not None:
        notice = ViolationNotice(
            tenant_name=tenant.name,
            case_ref=case.ref,
            clause=ClauseText.of(document, clause_id),
            event_id=row.event_id or row.reference,
            channel="email" if row.kind not in ("form", "api") else "report",
            event_time=row.incident_time or row.received,
            facts=_facts(row),
            evidence=evidence_of(row.tenant_copy),
            detected_automatically=False,
            what_next="A person reviews the case. Several such reports can lead to action "
            "under our policy; please check the message and the consent of its recipients.",
        )
        # One notice per case and day: a burst of complaints is one message, not hundreds.
        notify_tenant(
            session, tenant, render(notice), dedup_key=f"report:{case.id}:{now:%Y-%m-%d}", now=now
        )
    return case


def _facts(row: ReportRow) -> tuple[str, ...]:
    what = KIND_NAMES.get(row.kind, "report")
    source = f" from {row.provider}" if row.authenticated and row.provider else ""
    facts = [
        f"We received a {what}{source} ({row.mapping_key or 'untyped'}) on {row.received:%Y-%m-%d}."
    ]
    if row.event_id:
        facts.append(f"It is about a message you sent (event {row.event_id}).")
    summary = (row.facts or {}).get("tenant_summary", "")
    if summary:
        facts.append(f"It says: {summary[:300]}")
    return tuple(facts)


def evidence_of(tenant_copy: str | None) -> tuple[EvidenceLine, ...]:
    """The reported message as the tenant may see it: identifying fields and a short excerpt."""
    if not tenant_copy:
        return ()
    msg = Parser(policy=compat32).parsestr(tenant_copy)
    lines = [
        EvidenceLine(f"{name}: {mask_pii(str(msg[name]))[:200]}", "reported message")
        for name in ("From", "Subject", "Date", "Message-ID")
        if msg[name]
    ]
    payload = msg.get_payload()
    body = payload if isinstance(payload, str) else ""
    text = " ".join(body.split())
    if text:
        lines.append(EvidenceLine("text", "reported message", mask_pii(text)[:200]))
    return tuple(lines)
