"""Decide events: JSON for every channel, raw RFC 5322 for e-mail, batches; off the event loop,
at most `DECIDE_THREADS` at once (see deps.Services)."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Annotated, Any

from anyio import to_thread
from fastapi import APIRouter, Body, Depends, Query, Request

from aupguard.api.deps import Services, require, services
from aupguard.api.metrics import DECIDE_SECONDS, DECISIONS
from aupguard.api.schemas import BatchOut, DecisionOut
from aupguard.api.security import Caller
from aupguard.decide import Decision
from aupguard.errors import InputError
from aupguard.events.jsonevent import EventIn, event_from_json
from aupguard.events.model import Event
from aupguard.events.sources import email_event

router = APIRouter(prefix="/v1", tags=["decide"])
MAX_BATCH = 1000


def _decide(svc: Services, event: Event) -> DecisionOut:
    started = time.perf_counter()
    decision: Decision = svc.decider.decide(event)
    DECIDE_SECONDS.labels(event.channel.value).observe(time.perf_counter() - started)
    DECISIONS.labels(event.channel.value, decision.action).inc()
    clauses = [c.clause for c in decision.verdict.violated] if decision.verdict else []
    return DecisionOut(
        event_id=decision.event_id,
        action=decision.action,  # type: ignore[arg-type]
        reason=decision.reason,
        case_ref=decision.case_ref,
        feedback_token=decision.feedback_token,
        clauses=clauses,
        replayed=decision.replayed,
    )


def _event(body: EventIn, caller: Caller, source: str) -> Event:
    data: dict[str, Any] = body.model_dump(mode="json", exclude_unset=True)
    event = event_from_json(data, source)
    if caller.tenant_id:  # a tenant's own key decides only for that tenant
        event = replace(event, tenant=caller.tenant_id)
    return event


@router.post("/decide", response_model=DecisionOut, summary="Decide one JSON event")
async def decide(
    body: EventIn,
    caller: Annotated[Caller, Depends(require("decide"))],
    svc: Annotated[Services, Depends(services)],
) -> DecisionOut:
    event = _event(body, caller, "api")
    return await to_thread.run_sync(_decide, svc, event, limiter=svc.decisions)


@router.post("/decide/batch", response_model=BatchOut, summary="Decide up to 1,000 JSON events")
async def decide_batch(
    body: Annotated[list[EventIn], Body(max_length=MAX_BATCH)],
    caller: Annotated[Caller, Depends(require("decide"))],
    svc: Annotated[Services, Depends(services)],
) -> BatchOut:
    return await to_thread.run_sync(_batch, svc, body, caller, limiter=svc.decisions)


def _batch(svc: Services, body: list[EventIn], caller: Caller) -> BatchOut:
    decisions, errors = [], []
    for i, item in enumerate(body):
        try:
            decisions.append(_decide(svc, _event(item, caller, f"api#{i}")))
        except InputError as exc:
            errors.append({"index": i, "error": exc.reason})
    return BatchOut(decisions=decisions, errors=errors)


@router.post(
    "/decide/email",
    response_model=DecisionOut,
    summary="Decide one raw RFC 5322 message (body: message/rfc822)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "message/rfc822": {"schema": {"type": "string", "format": "binary", "minLength": 1}}
            },
        }
    },
)
async def decide_email(
    request: Request,
    caller: Annotated[Caller, Depends(require("decide"))],
    svc: Annotated[Services, Depends(services)],
    tenant: Annotated[str | None, Query(max_length=64)] = None,
    event_id: Annotated[str | None, Query(alias="id", max_length=128)] = None,
    mail_from: Annotated[str | None, Query(max_length=320)] = None,
    rcpt_to: Annotated[list[str] | None, Query(max_length=1000)] = None,
    client_ip: Annotated[str | None, Query(max_length=45)] = None,
    helo: Annotated[str | None, Query(max_length=255)] = None,
    auth_user: Annotated[str | None, Query(max_length=320)] = None,
) -> DecisionOut:
    raw = await request.body()
    if not raw.strip():
        raise InputError("the request body must be an RFC 5322 message")
    event = email_event(
        raw,
        "api",
        mail_from=mail_from,
        rcpt_to=tuple(rcpt_to or ()),
        helo=helo,
        client_ip=client_ip,
        auth_user=auth_user,
    )
    event = replace(event, tenant=caller.tenant_id or tenant, id=event_id or event.id)
    return await to_thread.run_sync(_decide, svc, event, limiter=svc.decisions)
