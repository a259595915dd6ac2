"""Events to and from the JSON that travels in a stream entry (the documented event schema)."""

from __future__ import annotations

import base64
import json
from typing import Any

from aupguard.events.jsonevent import event_from_json
from aupguard.events.model import (
    AuthAttempt,
    CallRecord,
    EmailContent,
    Event,
    FileContent,
    Flow,
    HttpRequest,
    MessageContent,
    TranscriptContent,
)


def encode(event: Event) -> str:
    """The event as a JSON event (docs/events.md); `decode(encode(e))` equals `e`."""
    out: dict[str, Any] = {
        "id": event.id,
        "channel": event.channel.value,
        "time": event.time.isoformat(),
        "direction": event.direction.value,
    }
    for name in ("tenant", "workload", "sender", "agent", "campaign"):
        value = getattr(event, name)
        if value is not None:
            out[name] = value
    if event.recipients:
        out["recipients"] = list(event.recipients)
    c = event.content
    if isinstance(c, EmailContent):
        out["raw_base64"] = base64.b64encode(c.raw).decode()
        out.update(
            {
                k: v
                for k, v in (
                    ("mail_from", c.mail_from),
                    ("helo", c.helo),
                    ("client_ip", c.client_ip),
                    ("auth_user", c.auth_user),
                )
                if v is not None
            }
        )
        if c.rcpt_to:
            out["recipients"] = list(c.rcpt_to)
    elif isinstance(c, MessageContent):
        out.update(
            text=c.text,
            **{k: v for k, v in (("sender_id", c.sender_id), ("recipient", c.recipient)) if v},
        )
    elif isinstance(c, TranscriptContent):
        out["turns"] = [
            {
                "role": t.role.value,
                "text": t.text,
                **({"speaker": t.speaker} if t.speaker else {}),
                **({"offset_ms": t.offset_ms} if t.offset_ms is not None else {}),
            }
            for t in c.turns
        ]
        out.update({k: v for k, v in (("caller", c.caller), ("callee", c.callee)) if v})
    elif isinstance(c, CallRecord):
        out.update(caller=c.caller, callee=c.callee, duration=c.duration_s, answered=c.answered)
        out.update(
            {
                k: v
                for k, v in (("attestation", c.attestation), ("sip_code", c.sip_code))
                if v is not None
            }
        )
    elif isinstance(c, Flow):
        out.update(
            src=c.src,
            dst=c.dst,
            src_port=c.src_port,
            dst_port=c.dst_port,
            proto=c.proto,
            flags=c.flags,
            bytes_out=c.bytes_out,
            bytes_in=c.bytes_in,
            packets=c.packets,
            state=c.state,
        )
    elif isinstance(c, HttpRequest):
        out.update(
            client=c.client,
            method=c.method,
            target=c.target,
            status=c.status,
            user_agent=c.user_agent,
            referrer=c.referrer,
            host=c.host,
        )
    elif isinstance(c, AuthAttempt):
        out.update(client=c.client, target=c.target, username=c.username, success=c.success)
    elif isinstance(c, FileContent):
        raise ValueError("bare files are scanned, not streamed")
    return json.dumps(out, separators=(",", ":"))


def decode(data: str | bytes, source: str = "stream") -> Event:
    """Raises InputError (EventSchemaError) with the field's name on a malformed entry."""
    return event_from_json(json.loads(data), source)
