"""The report sink of an app, built once per channel, and the intake context of a request."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from fastapi import Request

from aupguard.api.deps import Services
from aupguard.reports.enrollment import authenticator_for
from aupguard.reports.intake import Authenticator, Channel
from aupguard.reports.model import IntakeContext
from aupguard.reports.sink import StoreSink, sink_for


def report_sink(request: Request, svc: Services, channel: Channel) -> StoreSink:
    """The app's StoreSink for `channel` (identities from the decider's snapshot)."""
    cached: StoreSink | None = getattr(request.app.state, "report_sink", None)
    if cached is None:
        decider = svc.decider
        cached = sink_for(
            svc.store,
            decider.ruleset,
            decider.engine.document,
            svc.settings,
            directory=lambda: decider.directory,
            state=decider.state,
        )
        request.app.state.report_sink = cached
    return replace(cached, channel=channel)


def authenticator(request: Request, sink: StoreSink) -> Authenticator | None:
    if not hasattr(request.app.state, "report_authenticator"):
        request.app.state.report_authenticator = authenticator_for(sink.settings, sink.enrollment)
    found: Authenticator | None = request.app.state.report_authenticator
    return found


def intake_context(svc: Services, request: Request) -> IntakeContext:
    decider = svc.decider
    return IntakeContext(
        received=datetime.now(UTC),
        mapping=decider.ruleset.report_mapping,
        source_ip=request.client.host if request.client else None,
        clauses=frozenset(decider.engine.document.by_id),
    )
