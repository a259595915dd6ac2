"""Queue notices to a tenant (e-mail and webhook) through the outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from aupguard.notify.outbox import enqueue
from aupguard.store.models import Tenant


def notify_tenant(
    session: Session,
    tenant: Tenant,
    *,
    topic: str,
    key: str,
    subject: str,
    body: str,
    payload: dict[str, Any],
    now: datetime,
) -> int:
    """One notice per configured channel of the tenant, each sent once per `key`."""
    queued = 0
    if tenant.contact_email:
        msg = enqueue(
            session,
            dedup_key=f"{key}:email",
            channel="email",
            tenant_id=tenant.id,
            topic=topic,
            recipient=tenant.contact_email,
            subject=subject,
            body=body,
            payload=payload,
            now=now,
        )
        queued += msg is not None
    if tenant.webhook_url:
        msg = enqueue(
            session,
            dedup_key=f"{key}:webhook",
            channel="webhook",
            tenant_id=tenant.id,
            topic=topic,
            recipient=tenant.webhook_url,
            subject=subject,
            body=body,
            payload=payload,
            now=now,
        )
        queued += msg is not None
    return queued


def statement_text(statement: dict[str, Any]) -> str:
    """The statement of reasons as plain text (facts, clause, automation, how to appeal)."""
    lines = [
        f"Action: {statement['action']} ({statement['scope']})",
        f"Clause: {statement['clause_title']} ({statement['clause']})",
        f"Policy text: {statement['clause_text']}",
        "",
        "Facts:",
    ]
    lines += [f"- {fact}" for fact in statement["facts"]]
    lines += [
        "",
        "This decision was "
        + ("taken automatically." if statement["automated"] else "taken by a reviewer."),
        f"Case reference: {statement['case_ref']}",
        "",
        f"How to appeal: {statement['appeal']}",
    ]
    return "\n".join(lines)
