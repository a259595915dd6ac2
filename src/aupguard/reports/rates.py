"""Complaint and bounce rates per tenant and identity, computed against the send log.

A complaint or bounce counts when it matched a message in the send log (by feedback token,
Message-ID or sending IP and time) that was sent within the period; the rate divides by
what the tenant (or the identity) sent in that period. Voided, duplicate and rejected
reports never count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aupguard.store.models import ReportRow, SendLogRow

_COUNTED_STATES = ("resolved", "triage")
# Reports about a message that are not complaints about it.
_NOT_COMPLAINTS = {"dmarc-failure", "arf:auth-failure", "arf:not-spam"}


def is_complaint(kind: str, mapping_key: str | None) -> bool:
    """A report about a message that complains about it (not a bounce, auth or not-spam)."""
    return kind != "dsn" and kind not in _NOT_COMPLAINTS and mapping_key not in _NOT_COMPLAINTS


def is_hard_bounce(kind: str, facts: dict[str, object] | None) -> bool:
    bounce = (facts or {}).get("bounce")
    return kind == "dsn" and isinstance(bounce, dict) and bounce.get("type") == "hard"


@dataclass(frozen=True, slots=True)
class Rates:
    tenant_id: str
    identity: str | None  # None: the whole tenant
    sent: int
    complaints: int
    hard_bounces: int
    soft_bounces: int

    @property
    def complaint_rate(self) -> float:
        return self.complaints / self.sent if self.sent else 0.0

    @property
    def bounce_rate(self) -> float:
        """Hard bounces per message sent (soft ones are retried and usually delivered)."""
        return self.hard_bounces / self.sent if self.sent else 0.0


def rates(session: Session, tenant_id: str, since: datetime, until: datetime) -> list[Rates]:
    """The tenant's total first, then each identity it sent from, busiest first."""
    sent_rows = session.execute(
        select(SendLogRow.identity, func.count(SendLogRow.event_id))
        .where(
            SendLogRow.tenant_id == tenant_id,
            SendLogRow.time >= since,
            SendLogRow.time < until,
        )
        .group_by(SendLogRow.identity)
    ).all()
    sent = {identity: int(n) for identity, n in sent_rows}
    report_rows = session.execute(
        select(SendLogRow.identity, ReportRow.kind, ReportRow.mapping_key, ReportRow.facts)
        .join(SendLogRow, SendLogRow.event_id == ReportRow.event_id)
        .where(
            ReportRow.tenant_id == tenant_id,
            ReportRow.state.in_(_COUNTED_STATES),
            SendLogRow.tenant_id == tenant_id,
            SendLogRow.time >= since,
            SendLogRow.time < until,
        )
    ).all()
    counts: dict[str | None, list[int]] = {i: [0, 0, 0] for i in sent}
    for identity, kind, mapping_key, facts in report_rows:
        slot = counts.setdefault(identity, [0, 0, 0])
        if kind == "dsn":
            slot[1 if is_hard_bounce(kind, facts) else 2] += 1
        elif is_complaint(kind, mapping_key):
            slot[0] += 1
    per_identity = [
        Rates(tenant_id, identity, sent.get(identity, 0), c[0], c[1], c[2])
        for identity, c in counts.items()
    ]
    per_identity.sort(key=lambda r: (-r.sent, r.identity or ""))
    total = Rates(
        tenant_id,
        None,
        sum(r.sent for r in per_identity),
        sum(r.complaints for r in per_identity),
        sum(r.hard_bounces for r in per_identity),
        sum(r.soft_bounces for r in per_identity),
    )
    return [total, *per_identity]
