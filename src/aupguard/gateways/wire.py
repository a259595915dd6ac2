"""The HTTP contract's bodies: events (docs/events.md), decide answers, the status table."""

from __future__ import annotations

import base64
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from aupguard.decide import Decision
from aupguard.enforce.status import current_version
from aupguard.events.model import (
    CallRecord,
    EmailContent,
    Event,
    MessageContent,
    TranscriptContent,
)
from aupguard.gateways.answer import ACTIONS, Answer, Origin, gate_action
from aupguard.gateways.transport import public_reason
from aupguard.store.models import StatusRow


def event_to_json(event: Event) -> dict[str, Any]:
    """The JSON event `aupguard.events.jsonevent.event_from_json` reads back unchanged."""
    out: dict[str, Any] = {
        "id": event.id,
        "channel": event.channel.value,
        "tenant": event.tenant,
        "workload": event.workload,
        "direction": event.direction.value,
        "time": event.time.isoformat(),
        "sender": event.sender,
        "recipients": list(event.recipients),
        "agent": event.agent,
        "campaign": event.campaign,
    }
    c = event.content
    if isinstance(c, EmailContent):
        out |= {
            "raw_base64": base64.b64encode(c.raw).decode("ascii"),
            "mail_from": c.mail_from,
            "helo": c.helo,
            "client_ip": c.client_ip,
            "auth_user": c.auth_user,
        }
        out["recipients"] = list(event.recipients or c.rcpt_to)
    elif isinstance(c, MessageContent):
        out |= {"text": c.text, "sender_id": c.sender_id, "recipient": c.recipient}
    elif isinstance(c, TranscriptContent):
        out |= {
            "turns": [
                {
                    "role": t.role.value,
                    "text": t.text,
                    "speaker": t.speaker,
                    "offset_ms": t.offset_ms,
                }
                for t in c.turns
            ],
            "caller": c.caller,
            "callee": c.callee,
        }
    elif isinstance(c, CallRecord):
        out |= {
            "caller": c.caller,
            "callee": c.callee,
            "time": c.start.isoformat(),
            "duration": c.duration_s,
            "answered": c.answered,
            "attestation": c.attestation,
            "sip_code": c.sip_code,
        }
    else:
        raise ValueError(f"a gate decides e-mail, messages and calls, not {event.channel.value}")
    return {k: v for k, v in out.items() if v is not None and v != []}


class DecideResponse(BaseModel):
    """The body of a 200 answer to POST /v1/decide (docs/gateways.md)."""

    model_config = ConfigDict(extra="ignore")
    event_id: str | None = None
    action: str  # allow, flag, hold, defer, block
    reason: str = ""
    case_ref: str | None = None
    feedback_token: str | None = None

    def answer(self) -> Answer:
        action = gate_action(self.action)
        if action not in ACTIONS:
            raise ValueError(f"the decide API answered an unknown action {self.action!r}")
        return Answer(
            action,
            public_reason(self.action, self.reason),
            Origin.ENGINE,
            self.case_ref,
            self.feedback_token,
            self.event_id,
        )


def decision_json(decision: Decision) -> dict[str, Any]:
    """The 200 body of POST /v1/decide for a decision (what the API must answer)."""
    return {
        "event_id": decision.event_id,
        "action": decision.action,
        "reason": public_reason(decision.action, decision.reason),
        "case_ref": decision.case_ref,
        "feedback_token": decision.feedback_token,
    }


def status_json(session: Session, known: int | None = None) -> dict[str, Any] | None:
    """The 200 body of GET /v1/status, or None (answer 304) when `known` is still current."""
    version = current_version(session)
    if known is not None and known == version:
        return None
    rows = session.execute(select(StatusRow).where(StatusRow.state != "active")).scalars()
    return {
        "version": version,
        "entries": [
            {
                "tenant": r.tenant_id,
                "channel": r.channel,
                "identity": r.identity,
                "state": r.state,
                "restriction": r.restriction,
                "case_id": r.case_id,
                "action_id": r.action_id,
            }
            for r in rows
        ],
    }
