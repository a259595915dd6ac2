"""What the decision component writes for one event, in one transaction."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, insert, update
from sqlalchemy.orm import Session

from aupguard.audit.merkle import verdict_digest
from aupguard.aup.model import AupDocument
from aupguard.aup.versions import accept, in_force
from aupguard.enforce.evidence import hold_media
from aupguard.enforce.status import Status
from aupguard.enforce.tokens import feedback_token, recipient_digest
from aupguard.enforce.violations import Subject, handle
from aupguard.events.email import EmailView
from aupguard.events.model import CallRecord, EmailContent, Event, MessageContent
from aupguard.events.views import Views
from aupguard.rules.model import Action, Ruleset
from aupguard.rules.verdict import Verdict
from aupguard.settings import Settings
from aupguard.store.models import (
    AppliedEvent,
    AupVersion,
    Case,
    SendLogRow,
    Tenant,
    VerdictRecord,
)

# The rows every event writes go in as Core inserts on the session's connection: no ORM
# objects, no unit of work (most of the per-event cost before). They run at once, so a
# duplicate event id still fails on the first insert, before anything else is written.
_APPLIED = cast(Table, AppliedEvent.__table__)
_SEND_LOG = cast(Table, SendLogRow.__table__)
_VERDICTS = cast(Table, VerdictRecord.__table__)


@dataclass(frozen=True, slots=True)
class EventFacts:
    identity: str | None  # sending domain, number or sender ID
    identities: tuple[str, ...]  # status keys: identity, campaign:<fp>, agent:<id>
    message_id: str | None
    recipient_digest: str | None
    sending_ip: str | None
    campaign: str
    feedback_token: str
    content_digest: str


def facts_of(event: Event, key: bytes, views: Views | None = None) -> EventFacts:
    content = event.content
    identity = event.sender
    message_id = None
    ip = None
    text = ""
    recipients = event.recipients
    if isinstance(content, EmailContent):
        ip = content.client_ip
        recipients = recipients or content.rcpt_to
        if isinstance(views, EmailView):
            identity = views.from_address[1].rpartition("@")[2] or identity
            message_id = views.message_id
            text = views.subject
        raw = content.raw
    elif isinstance(content, MessageContent):
        identity = content.sender_id or identity
        recipients = recipients or ((content.recipient,) if content.recipient else ())
        text, raw = content.text, content.text.encode()
    elif isinstance(content, CallRecord):
        identity, raw = content.caller, content.caller.encode()
    else:
        raw = repr(content).encode()
    campaign = (
        event.campaign
        or hashlib.sha256(
            f"{event.tenant}|{identity}|{re.sub(r'[0-9]+', '#', text.lower())[:200]}".encode()
        ).hexdigest()[:16]
    )
    keys = tuple(
        k
        for k in (identity, f"campaign:{campaign}", f"agent:{event.agent}" if event.agent else None)
        if k
    )
    return EventFacts(
        identity.lower() if identity and "@" not in identity else identity,
        keys,
        message_id,
        recipient_digest(key, recipients),
        ip,
        campaign,
        feedback_token(key, event.id),
        hashlib.sha256(raw).hexdigest(),
    )


@dataclass(frozen=True, slots=True)
class Recorded:
    action: str
    reason: str
    case_ref: str | None


def record(
    s: Session,
    event: Event,
    facts: EventFacts,
    verdict: Verdict | None,
    refusal: tuple[Action, str] | None,
    current: Status,
    tenant: Tenant | None,
    ruleset: Ruleset,
    document: AupDocument,
    settings: Settings,
    versions: list[AupVersion],
    accepted: set[tuple[str, str]],
    views: Views | None = None,
) -> Recorded:
    """Write one decided event; its idempotency row goes first, so a duplicate id fails first."""
    now = datetime.now(UTC)
    if refusal is not None:
        action, reason = refusal
        case_ref = f"AUP-{current.case_id:06d}" if current.case_id else None
    else:
        assert verdict is not None
        action, reason, case_ref = verdict.action, verdict.explanation[0], None
    _insert_applied(s, event, action.label, reason, case_ref, now)
    _insert_send_log(s, event, facts, action.label)
    if verdict is not None and (verdict.signals or verdict.action is not Action.ALLOW):
        s.connection().execute(insert(_VERDICTS), _verdict_values(event, facts, verdict, settings))
    row = in_force(versions, event.time.date())
    if (
        event.tenant
        and row is not None
        and row.effective <= event.time.date()
        and (event.tenant, row.version) not in accepted
    ):
        if (tenant or s.get(Tenant, event.tenant)) is not None:
            accept(s, event.tenant, row.version, how="use", actor=f"tenant:{event.tenant}", now=now)
        accepted.add((event.tenant, row.version))
    if (
        tenant is not None
        and verdict is not None
        and (verdict.violated or verdict.shadow_action is not Action.ALLOW)
    ):
        subject = Subject(
            tenant.id, event.id, event.channel.value, facts.identity, facts.campaign, event.agent
        )
        outcome = handle(
            s,
            subject,
            verdict,
            ruleset,
            document,
            event.time,
            settings,
            settings.operator_email,
        )
        _hold_evidence(s, event, verdict, outcome.cases, ruleset, settings, views)
        worst = max(verdict.violated, key=lambda c: (c.action, c.score), default=None)
        case = next((c for c in outcome.cases if worst and c.clause == worst.clause), None)
        if case is not None:
            case_ref = case.ref
            s.execute(
                update(_APPLIED).where(_APPLIED.c.event_id == event.id).values(case_ref=case_ref)
            )
    return Recorded(action.label, reason, case_ref)


def _insert_applied(
    s: Session, event: Event, action: str, reason: str, case_ref: str | None, now: datetime
) -> None:
    """The idempotency row: a concurrent duplicate of the event id fails here, first."""
    values = {
        "event_id": event.id,
        "tenant_id": event.tenant,
        "action": action,
        "reason": reason[:500],
        "case_ref": case_ref,
        "decided_at": now,
    }
    s.connection().execute(insert(_APPLIED), values)


def _insert_send_log(s: Session, event: Event, facts: EventFacts, action: str) -> None:
    values = {
        "event_id": event.id,
        "day": event.time.date(),
        "time": event.time,
        "tenant_id": event.tenant,
        "channel": event.channel.value,
        "identity": facts.identity,
        "message_id": facts.message_id,
        "recipient_digest": facts.recipient_digest,
        "recipients": len(event.recipients),
        "sending_ip": facts.sending_ip,
        "campaign": facts.campaign,
        "feedback_token": facts.feedback_token,
        "action": action,
    }
    s.connection().execute(insert(_SEND_LOG), values)


def _hold_evidence(
    s: Session,
    event: Event,
    verdict: Verdict,
    cases: list[Case],
    ruleset: Ruleset,
    settings: Settings,
    views: Views | None,
) -> None:
    """Media behind a legal-hold signal is kept, encrypted, with its case."""
    if views is None:
        return
    for case in cases:
        if not case.legal_hold:
            continue
        names = set(ruleset.clauses[case.clause].legal_hold_on)
        parts = {e.part for sg in verdict.signals if sg.name in names for e in sg.evidence}
        for att in views.attachments:
            if att.part in parts:
                reason = f"legal hold: {', '.join(sorted(names))} on {att.part}"
                hold_media(s, case, event.id, att.part, att.sniffed_type, att.data, reason,
                           settings, event.time)  # fmt: skip


def _verdict_values(
    event: Event, facts: EventFacts, verdict: Verdict, settings: Settings
) -> dict[str, Any]:
    """The `verdicts` row of a decision, its digest included (as audit.merkle.record_digest)."""
    original, until = None, None
    if settings.retain_originals_days > 0 and isinstance(event.content, EmailContent):
        from cryptography.fernet import Fernet

        key = settings.secret("originals")
        fernet = Fernet(__import__("base64").urlsafe_b64encode(key[:32]))
        original = fernet.encrypt(event.content.raw)
        until = event.time + timedelta(days=settings.retain_originals_days)
    signals = [
        {
            "name": sg.name,
            "strength": round(sg.strength, 4),
            "deterministic": sg.deterministic,
            "detector": sg.detector,
            "version": sg.detector_version,
            "shadow": sg.shadow,
            "evidence": [
                {
                    "part": e.part,
                    "excerpt": e.excerpt,
                    "start": e.start,
                    "end": e.end,
                    "detail": e.detail,
                }
                for e in sg.evidence[:5]
            ],
        }
        for sg in verdict.signals
    ]
    digested: dict[str, Any] = {
        "event_id": event.id,
        "tenant_id": event.tenant,
        "time": event.time,
        "channel": event.channel.value,
        "action": verdict.action.label,
        "shadow_action": verdict.shadow_action.label,
        "clauses": [c.clause for c in verdict.violated],
        "scores": verdict.scores,
        "signals": signals,
        "document_version": verdict.document_version,
        "ruleset_version": verdict.ruleset_version,
        "ruleset_hash": verdict.ruleset_hash,
        "model_hashes": dict(verdict.model_hashes),
        "content_digest": facts.content_digest,
    }
    # Over non-personal fields only: purges of the rest keep the audit valid.
    return digested | {
        "digest": verdict_digest(**digested),
        "explanation": list(verdict.explanation),
        "original": original,
        "original_until": until,
    }
