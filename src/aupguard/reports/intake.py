"""The intake sink: where every channel hands a parsed report, or the reason it was refused.

A sink is anything with `accept(report) -> Receipt` and `reject(rejected) -> Receipt`; the
store-backed sink (triage queue, cases) implements the same two calls. Rejected input is
handed over too, with its digest and reason, so nothing is dropped without a trace.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol

from aupguard.errors import Rejection
from aupguard.reports.authenticate import MAIL_KINDS, Enrollment, TxtLookup, authenticate
from aupguard.reports.form import parse_submission
from aupguard.reports.mailbox import parse_report
from aupguard.reports.model import IntakeContext, Report

Channel = Literal["mailbox", "maildir", "file", "form", "api"]


@dataclass(frozen=True, slots=True)
class Receipt:
    """What the reporter is told: a reference to quote, and what became of the report."""

    reference: str
    status: Literal["accepted", "duplicate", "rejected"]
    detail: str = ""


@dataclass(frozen=True, slots=True)
class RejectedInput:
    """A refused report: kept as a digest with the reason, never as content."""

    received: datetime
    channel: Channel
    source_ip: str | None
    field: str
    reason: str
    size: int
    sha256: str

    @classmethod
    def of(
        cls, data: bytes, rejection: Rejection, ctx: IntakeContext, channel: Channel
    ) -> RejectedInput:
        return cls(
            received=ctx.received,
            channel=channel,
            source_ip=ctx.source_ip,
            field=rejection.field,
            reason=rejection.reason,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
        )


class IntakeSink(Protocol):
    def accept(self, report: Report) -> Receipt: ...

    def reject(self, rejected: RejectedInput) -> Receipt: ...


@dataclass
class MemorySink:
    """A sink that keeps everything in memory (tests, `reports parse`, embedding)."""

    reports: list[Report] = field(default_factory=list)
    rejected: list[RejectedInput] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _seen: dict[str, str] = field(default_factory=dict, repr=False)

    def accept(self, report: Report) -> Receipt:
        with self._lock:
            if report.digest in self._seen:
                return Receipt(self._seen[report.digest], "duplicate")
            reference = "rpt-" + report.digest[:16]
            self._seen[report.digest] = reference
            self.reports.append(report)
            return Receipt(reference, "accepted")

    def reject(self, rejected: RejectedInput) -> Receipt:
        with self._lock:
            self.rejected.append(rejected)
        return Receipt(
            "rej-" + rejected.sha256[:16], "rejected", f"{rejected.field}: {rejected.reason}"
        )


@dataclass(frozen=True, slots=True)
class Authenticator:
    """Enrollment and a TXT lookup; absent, no report is authenticated (all go to triage)."""

    enrollment: Enrollment
    lookup: TxtLookup


def take_in(
    data: bytes,
    ctx: IntakeContext,
    sink: IntakeSink,
    channel: Channel = "mailbox",
    authenticator: Authenticator | None = None,
) -> Receipt:
    """Parse, authenticate (mail only) and hand to the sink; a Rejection goes to the sink too."""
    try:
        report = parse_report(data, ctx)
    except Rejection as exc:
        return sink.reject(RejectedInput.of(data, exc, ctx, channel))
    if (
        authenticator is not None
        and report.kind in MAIL_KINDS
        and not data.lstrip().startswith(b"{")
    ):
        report = authenticate(report, data, authenticator.enrollment, authenticator.lookup)
    return sink.accept(report)


def take_submission(
    data: bytes | dict[str, object],
    ctx: IntakeContext,
    sink: IntakeSink,
    kind: Literal["form", "api"] = "form",
) -> Receipt:
    """A form or API submission to the sink; its Rejection goes to the sink too."""
    try:
        report = parse_submission(data, ctx, kind)
    except Rejection as exc:
        raw = data if isinstance(data, bytes) else json.dumps(data, sort_keys=True).encode()
        return sink.reject(RejectedInput.of(raw, exc, ctx, kind))
    return sink.accept(report)
