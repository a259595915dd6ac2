"""The store-backed intake sink: every report is kept, deduplicated, resolved and routed.

`accept(report)`: a copy of a known incident is stored as a duplicate and adds nothing;
a muted reporter's report is stored voided; an authenticated report resolved through the
send log joins the tenant's case and counts toward escalation; everything else waits in
the triage queue, with the tenant it points at as a suggestion. `reject(input)` stores
the refusal with its reason. Each call is one transaction and returns a Receipt whose
reference the reporter can quote.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aupguard.aup.model import AupDocument
from aupguard.enforce import counters
from aupguard.enforce.identities import IdentitySnapshot
from aupguard.enforce.tenants import snapshot
from aupguard.reports import reporters
from aupguard.reports.authenticate import Enrollment, Route
from aupguard.reports.caps import CountingCaps
from aupguard.reports.casefile import file_in_case
from aupguard.reports.enrollment import load_enrollment
from aupguard.reports.escalate import Policy, count, escalate
from aupguard.reports.intake import Channel, Receipt, RejectedInput
from aupguard.reports.model import Report
from aupguard.reports.rates import is_complaint, is_hard_bounce
from aupguard.reports.records import rejected_row, report_row
from aupguard.reports.resolve import IpWindow, Resolution, resolve
from aupguard.rules.model import Ruleset
from aupguard.settings import Settings
from aupguard.state.base import StateStore
from aupguard.store.db import Store
from aupguard.store.models import ReportRow

DIRECTORY_TTL = 30.0  # seconds a snapshot of verified identities is reused


@dataclass
class StoreSink:
    """An IntakeSink on the database. Thread-safe: each call opens its own transaction."""

    store: Store
    ruleset: Ruleset
    document: AupDocument
    settings: Settings
    enrollment: Enrollment = field(default_factory=Enrollment)
    caps: CountingCaps = field(default_factory=CountingCaps)
    window: IpWindow = field(default_factory=IpWindow)
    channel: Channel = "mailbox"
    filed_by: str | None = None  # the API key filing, for status requests
    directory: Callable[[], IdentitySnapshot | None] | None = None
    # Where complaint and bounce counts go for the bulk detector's rates (the decider's state).
    state: StateStore | None = None
    _cached: tuple[float, IdentitySnapshot] | None = field(default=None, repr=False)

    @property
    def policy(self) -> Policy:
        return Policy(self.ruleset, self.document, self.settings, self.enrollment, self.caps)

    def identities(self) -> IdentitySnapshot | None:
        if self.directory is not None:
            return self.directory()
        cached = self._cached
        if cached is None or time.monotonic() - cached[0] > DIRECTORY_TTL:
            with self.store.read() as s:
                cached = (time.monotonic(), snapshot(s))
            self._cached = cached
        return cached[1]

    def accept(self, report: Report) -> Receipt:
        counted: list[tuple[str, str]] = []  # (tenant, complaint|bounce), set on commit
        receipt = self._retry(lambda s: self._accept(s, report, counted))
        if self.state is not None and counted:
            ttl = counters.window_s(self.ruleset)
            for tenant, kind in counted:
                # under the report's reference: a retried or replayed report counts once
                observations = counters.reported(tenant, kind, ttl)
                self.state.apply(f"report:{receipt.reference}", observations, report.received)
        return receipt

    def reject(self, rejected: RejectedInput) -> Receipt:
        return self._retry(lambda s: self._reject(s, rejected))

    def _retry(self, work: Callable[[Session], Receipt]) -> Receipt:
        try:
            with self.store.write() as s:
                return work(s)
        except IntegrityError:
            # A concurrent copy of the same incident (or a new reporter) won a unique index:
            # run again, and find it.
            with self.store.write() as s:
                return work(s)

    def _accept(self, s: Session, report: Report, counted: list[tuple[str, str]]) -> Receipt:
        counted.clear()
        now = datetime.now(UTC)
        reporter = reporters.seen(s, reporters.key_for(report, self.filed_by), report.received)
        row = report_row(report, self.channel, self.filed_by, reporter.id, now)
        first = _primary(s, report.digest)
        if first is not None:
            row.state, row.duplicate_of = "duplicate", first.id
            row.tenant_id, row.case_id = first.tenant_id, first.case_id
            row.note = f"same incident as {first.reference}"
            return self._stored(s, row, f"duplicate of {first.reference}", "duplicate")
        if reporter.muted:
            row.state, row.decided_by = "voided", reporter.muted_by
            row.note = "the reporter is muted: its reports are voided on arrival"
            return self._stored(s, row, "voided")
        resolution = resolve(
            s,
            report.keys,
            self.identities(),
            self.settings.secret("token"),
            incident_time=report.incident_time,
            window=self.window,
        )
        _apply(row, resolution)
        strong = bool(resolution.tenant_id and resolution.strong)
        if row.route == Route.RATES.value:
            row.state = "resolved" if strong else "triage"
        elif row.route == Route.ESCALATION.value and strong:
            row.state = "resolved"
        receipt = self._stored(s, row, row.state)
        counted.extend(_counted(row))
        if row.state == "resolved" and row.route != Route.RATES.value and row.clause:
            count(s, row, True, self.policy)
            file_in_case(s, row, row.clause, "system", self.document, self.settings, now)
            escalate(s, row, self.policy)
        return receipt

    def _reject(self, s: Session, rejected: RejectedInput) -> Receipt:
        now = datetime.now(UTC)
        key = reporters.key_for_source(rejected.source_ip, self.filed_by)
        reporter = reporters.seen(s, key, rejected.received)
        row = rejected_row(rejected, self.filed_by, reporter.id, now)
        first = _primary(s, row.digest)
        if first is not None:
            row.duplicate_of = first.id
        detail = f"{rejected.field}: {rejected.reason}"
        return self._stored(s, row, detail, "rejected")

    @staticmethod
    def _stored(s: Session, row: ReportRow, detail: str, status: str = "accepted") -> Receipt:
        s.add(row)
        s.flush()
        reporters.moved(s, row.reporter_id, None, row.state)
        return Receipt(row.reference, status, detail)  # type: ignore[arg-type]


def _counted(row: ReportRow) -> list[tuple[str, str]]:
    """What a report adds to the rate counters: only when it resolved to a tenant through
    the send log; a complaint only when its feedback loop is authenticated; a bounce only
    when hard (its match with a message we sent, by feedback token or Message-ID, is what
    vouches for it: bounces are not signed)."""
    if row.state != "resolved" or not row.tenant_id or not row.event_id:
        return []
    if is_hard_bounce(row.kind, row.facts):
        return [(row.tenant_id, "bounce")]
    if row.kind != "dsn" and row.authenticated and is_complaint(row.kind, row.mapping_key):
        return [(row.tenant_id, "complaint")]
    return []


def _primary(s: Session, digest: str) -> ReportRow | None:
    return s.execute(
        select(ReportRow).where(ReportRow.digest == digest, ReportRow.duplicate_of.is_(None))
    ).scalar()


def _apply(row: ReportRow, resolution: Resolution) -> None:
    row.tenant_id = resolution.tenant_id
    row.resolved_how = resolution.how
    row.candidates = list(resolution.candidates)
    if resolution.sent is not None:
        row.event_id = resolution.sent.event_id
        row.identity = resolution.sent.identity
        row.campaign = resolution.sent.campaign
    if resolution.notes:
        row.facts = {**row.facts, "resolution_notes": list(resolution.notes)}
    if row.route == Route.ESCALATION.value and not resolution.strong:
        row.count_note = (
            "ambiguous: several tenants match"
            if resolution.ambiguous
            else "not resolved through a message we sent"
        )


def sink_for(
    store: Store,
    ruleset: Ruleset,
    document: AupDocument,
    settings: Settings,
    channel: Channel = "mailbox",
    directory: Callable[[], IdentitySnapshot | None] | None = None,
    state: StateStore | None = None,
) -> StoreSink:
    """A sink with the enrollment from the settings (docs/reports.md, "Enrollment")."""
    return StoreSink(
        store,
        ruleset,
        document,
        settings,
        enrollment=load_enrollment(settings),
        channel=channel,
        directory=directory,
        state=state,
    )
