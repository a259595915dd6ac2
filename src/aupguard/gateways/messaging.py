"""The messaging gate: allow, hold, defer or block an SMS, chat or call in one round trip."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from aupguard.events.model import CallRecord, Channel, Event, MessageContent
from aupguard.gateways.answer import Answer
from aupguard.gateways.gate import Gate


class MessagingGate:
    """What a messaging service calls before it sends: one method per kind of traffic.

    `message_id` is the platform's own id for the message or call: it is the idempotency key,
    so a retried request gets the same answer and is counted once.
    """

    def __init__(self, gate: Gate) -> None:
        self.gate = gate

    def _check(self, event: Event) -> Answer:
        return self.gate.check(event)

    def sms(
        self, tenant: str, sender: str, recipient: str, text: str, message_id: str | None = None
    ) -> Answer:
        return self._message(Channel.SMS, tenant, sender, recipient, text, message_id)

    def chat(
        self, tenant: str, sender: str, recipient: str, text: str, message_id: str | None = None
    ) -> Answer:
        return self._message(Channel.CHAT, tenant, sender, recipient, text, message_id)

    def _message(
        self,
        channel: Channel,
        tenant: str,
        sender: str,
        recipient: str,
        text: str,
        message_id: str | None,
    ) -> Answer:
        event = Event(
            id=message_id or f"{channel.value}:{uuid.uuid4().hex}",
            channel=channel,
            tenant=tenant,
            sender=sender,
            recipients=(recipient,),
            content=MessageContent(text, sender_id=sender, recipient=recipient),
        )
        return self._check(event)

    def call(
        self,
        tenant: str,
        caller: str,
        callee: str,
        call_id: str | None = None,
        attestation: str | None = None,
    ) -> Answer:
        """Before a call is placed: status, throttle and the call-record detectors."""
        now = datetime.now(UTC)
        event = Event(
            id=call_id or f"call:{uuid.uuid4().hex}",
            channel=Channel.CALL,
            tenant=tenant,
            time=now,
            sender=caller,
            recipients=(callee,),
            content=CallRecord(caller, callee, now, attestation=attestation),
        )
        return self._check(event)
