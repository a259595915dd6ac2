"""Authenticated reports that count, and the strikes their volume adds on the clause's ladder.

Only a report from an enrolled feedback loop with aligned DKIM, resolved to the tenant
through the send log (or confirmed by a reviewer), counts; caps per reporter and network
apply (caps.py). Each `every` counted reports within `window_hours` (ruleset
`report_thresholds`) become one strike through `enforce.violations.apply_violation`, the
same path a verdict takes: brakes, fast review, second person and all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from aupguard.aup.model import AupDocument
from aupguard.enforce.violations import Outcome, Subject, Violation, apply_violation
from aupguard.reports.authenticate import Enrollment
from aupguard.reports.caps import CapCounts, CountingCaps, may_count
from aupguard.reports.model import Report, ReportAuth, Reporter, ReportKeys, ReportKind
from aupguard.rules.model import ReportThreshold, Ruleset
from aupguard.settings import Settings
from aupguard.store.models import ReportRow, SendLogRow, Tenant


@dataclass(frozen=True, slots=True)
class Policy:
    """What escalation needs besides the store: the rules and the counting configuration."""

    ruleset: Ruleset
    document: AupDocument
    settings: Settings
    enrollment: Enrollment
    caps: CountingCaps


def count(session: Session, row: ReportRow, confirmed: bool, policy: Policy) -> bool:
    """Decide whether a resolved report counts toward escalation; the reason when not."""
    if not row.authenticated:
        row.count_note = "not from an enrolled feedback loop with aligned DKIM: triage only"
    elif row.clause is None:
        row.count_note = "its type maps to no clause"
    elif not confirmed:
        row.count_note = "resolved only through an identity, not a message we sent"
    else:
        decision = may_count(
            _auth_view(row), _cap_counts(session, row, policy.caps), policy.caps, policy.enrollment
        )
        row.counted, row.count_note = decision.counts, decision.reason
    return row.counted


def escalate(session: Session, row: ReportRow, policy: Policy) -> Outcome | None:
    """One strike when enough counted reports wait within the window (and the rate holds)."""
    if not row.counted or row.tenant_id is None or row.clause is None:
        return None
    threshold = policy.ruleset.report_threshold_for(row.clause)
    if threshold is None:
        return None
    # Serialise escalation per tenant across processes, as decisions do.
    session.execute(select(Tenant).where(Tenant.id == row.tenant_id).with_for_update()).scalar()
    now = row.received
    since = now - timedelta(hours=threshold.window_hours)
    in_window = (
        ReportRow.tenant_id == row.tenant_id,
        ReportRow.clause == row.clause,
        ReportRow.counted.is_(True),
        ReportRow.state == "resolved",
        ReportRow.received >= since,
        ReportRow.received <= now,
    )
    pending = list(
        session.execute(
            select(ReportRow)
            .where(*in_window, ReportRow.strike_ref.is_(None))
            .order_by(ReportRow.received, ReportRow.id)
        ).scalars()
    )
    if len(pending) < threshold.every:
        return None
    rate_fact = _rate(session, row, threshold, since, in_window)
    if rate_fact is None:
        return None
    used = pending[: threshold.every]
    strike_ref = f"reports:{row.reference}"
    for r in used:
        r.strike_ref = strike_ref
    subject = Subject(
        row.tenant_id,
        strike_ref,
        _channel(session, used),
        row.identity,
        row.campaign,
        None,
    )
    providers = sorted({r.provider for r in used if r.provider})
    facts = (
        f"{len(used)} complaints from enrolled feedback loops ({', '.join(providers)}) about "
        f"messages you sent, received between {used[0].received:%Y-%m-%d %H:%M} and "
        f"{used[-1].received:%Y-%m-%d %H:%M} UTC (threshold: {threshold.every} within "
        f"{threshold.window_hours} h)",
        *((rate_fact,) if rate_fact else ()),
    )
    violation = Violation(
        clause=row.clause,
        item={
            "source": "reports",
            "reports": [r.reference for r in used],
            "every": threshold.every,
            "window_hours": threshold.window_hours,
            "campaigns": sorted({r.campaign for r in used if r.campaign}),
        },
        facts=facts,
        strike=True,
        deterministic=False,  # third parties' word: never enough alone for the strongest steps
        detectors=tuple(f"reports:{p}" for p in providers),
        automatic_up_to=threshold.automatic_up_to,
    )
    out = Outcome()
    apply_violation(
        session,
        subject,
        violation,
        policy.ruleset,
        policy.document,
        now,
        policy.settings,
        policy.settings.operator_email,
        out,
    )
    return out


def _rate(
    session: Session,
    row: ReportRow,
    threshold: ReportThreshold,
    since: datetime,
    in_window: tuple[ColumnElement[bool], ...],
) -> str | None:
    """ "" when no rate is required, the rate as a fact when it is reached, None when not."""
    if threshold.min_complaint_rate is None:
        return ""
    counted = session.execute(select(func.count(ReportRow.id)).where(*in_window)).scalar_one()
    sent = session.execute(
        select(func.count(SendLogRow.event_id)).where(
            SendLogRow.tenant_id == row.tenant_id,
            SendLogRow.time >= since,
            SendLogRow.time <= row.received,
        )
    ).scalar_one()
    rate = counted / sent if sent else 1.0
    if rate < threshold.min_complaint_rate:
        row.count_note = (
            f"counted, but {counted} of {sent} sends ({rate:.3%}) is under the "
            f"{threshold.min_complaint_rate:.2%} complaint rate that escalates"
        )
        return None
    return f"complaint rate {counted} of {sent} sends ({rate:.2%}) in {threshold.window_hours} h"


def _channel(session: Session, rows: list[ReportRow]) -> str:
    ids = [r.event_id for r in rows if r.event_id]
    if ids:
        channel = session.execute(
            select(SendLogRow.channel).where(SendLogRow.event_id == ids[-1])
        ).scalar()
        if channel:
            return channel
    return "email"


def _cap_counts(session: Session, row: ReportRow, caps: CountingCaps) -> CapCounts:
    since = row.received - timedelta(hours=caps.window_hours)
    base = select(func.count(ReportRow.id)).where(
        ReportRow.tenant_id == row.tenant_id,
        ReportRow.clause == row.clause,
        ReportRow.counted.is_(True),
        ReportRow.received >= since,
        ReportRow.id != row.id,
    )
    by_reporter = session.execute(base.where(ReportRow.reporter_id == row.reporter_id)).scalar_one()
    by_network = 0
    if row.source_network:
        by_network = session.execute(
            base.where(ReportRow.source_network == row.source_network)
        ).scalar_one()
    return CapCounts(reporter=by_reporter, network=by_network)


def _auth_view(row: ReportRow) -> Report:
    """The stored report as far as the counting caps look at it."""
    return Report(
        kind=ReportKind(row.kind),
        received=row.received,
        reporter=Reporter(address=row.reporter_address),
        mapping_key=row.mapping_key,
        clause=row.clause,
        keys=ReportKeys(),
        digest=row.digest,
        source_ip=row.source_ip,
        auth=ReportAuth(row.dkim, row.dkim_domain, row.authenticated, row.provider),
    )
