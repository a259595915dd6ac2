"""Evidence held for cases: media encrypted at rest; under legal hold shown blurred only."""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime

from cryptography.fernet import Fernet
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aupguard.audit.chain import append as audit
from aupguard.enforce.cases import add_item, mark_fast_review
from aupguard.notify.outbox import enqueue
from aupguard.settings import Settings
from aupguard.store.models import Case, HeldEvidence

REPORTING_DUTY = (
    "Legal reporting duty: report the matched material to the competent authority "
    "(e.g. NCMEC's CyberTipline in the US, the national hotline elsewhere) as the law "
    "requires; preserve the evidence; do not tell the tenant what matched."
)


def _fernet(settings: Settings) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(settings.secret("originals")[:32]))


def place_legal_hold(
    session: Session, case: Case, event_id: str, signals: list[str], now: datetime, operator: str
) -> None:
    """Mark the case: legal hold, fast review, the reporting duty noted and the operator told."""
    first = not case.legal_hold
    case.legal_hold = True
    mark_fast_review(case, now)
    add_item(
        session,
        case,
        "legal_report",
        event_id,
        "system",
        {"duty": REPORTING_DUTY, "signals": signals, "status": "to report"},
        now,
    )
    if first:
        audit(session, actor="system", kind="case.legal_hold", subject=f"case:{case.id}",
              data={"event": event_id, "signals": signals}, time=now)  # fmt: skip
    enqueue(
        session,
        dedup_key=f"legal-report:{case.id}:{event_id}",
        channel="email",
        tenant_id=None,
        topic="legal-report",
        recipient=operator,
        subject=f"[aupguard] {case.ref}: legal reporting duty",
        body=f"Case {case.ref} matched {', '.join(signals)} on event {event_id}. {REPORTING_DUTY}",
        payload={"case": case.id, "event": event_id, "signals": signals},
        now=now,
    )


def hold_media(
    session: Session,
    case: Case,
    event_id: str,
    part: str,
    media_type: str,
    data: bytes,
    reason: str,
    settings: Settings,
    now: datetime,
) -> HeldEvidence | None:
    """Keep one attachment encrypted for the case (whatever the retention setting)."""
    row = HeldEvidence(
        case_id=case.id,
        event_id=event_id,
        part=part[:200],
        media_type=media_type[:100],
        sha256=hashlib.sha256(data).hexdigest(),
        data=_fernet(settings).encrypt(data),
        legal_hold=case.legal_hold,
        reason=reason[:500],
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return None  # held already (a redelivery)
    return row


def media_of(row: HeldEvidence, settings: Settings) -> bytes:
    """Decrypted bytes, for server-side processing only (blurring): never sent as they are."""
    return _fernet(settings).decrypt(row.data)


def evidence_of(session: Session, case_id: int) -> list[HeldEvidence]:
    q = select(HeldEvidence).where(HeldEvidence.case_id == case_id).order_by(HeldEvidence.id)
    return list(session.execute(q).scalars())
