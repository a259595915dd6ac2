"""A claimed outbox message as the dispatcher hands it to the e-mail or webhook sender."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One claimed outbox message, as the dispatcher hands it to a sender."""

    id: int
    channel: str
    tenant_id: str | None
    topic: str
    recipient: str
    subject: str
    body: str
    payload: dict[str, Any]
    attempt: int
    created_at: datetime
    webhook_secret: str | None = None
