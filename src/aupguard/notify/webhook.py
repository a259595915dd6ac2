"""Signed webhooks (Standard Webhooks scheme): HMAC-SHA256 over id, timestamp and body."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Mapping

import httpx

from aupguard.errors import DeliveryError
from aupguard.notify.outgoing import Outgoing
from aupguard.notify.settings import NotifySettings

SECRET_PREFIX = "whsec_"  # a base64 secret in the Standard Webhooks form; else raw UTF-8


def _key(secret: str) -> bytes:
    if secret.startswith(SECRET_PREFIX):
        return base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    return secret.encode()


def signature(secret: str, delivery_id: str, timestamp: int, body: bytes) -> str:
    """`v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, the webhook-signature value."""
    signed = f"{delivery_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def verify_signature(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: float | None = None,
    tolerance_s: int = 300,
) -> bool:
    """What a receiver does: recompute the signature and refuse stale timestamps (replays)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    try:
        delivery_id = lowered["webhook-id"]
        timestamp = int(lowered["webhook-timestamp"])
        offered = lowered["webhook-signature"].split()
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance_s:
        return False
    expected = signature(secret, delivery_id, timestamp, body)
    return any(hmac.compare_digest(expected, candidate) for candidate in offered)


def delivery_id(msg: Outgoing) -> str:
    """The same on every attempt: receivers drop a delivery they have already processed."""
    return f"aupguard-notice-{msg.id}"


def body_of(msg: Outgoing) -> bytes:
    """The JSON body; identical on every attempt."""
    document = {
        "type": f"aupguard.{msg.topic}",
        "timestamp": msg.created_at.isoformat(),
        "data": {
            "notice_id": msg.id,
            "tenant_id": msg.tenant_id,
            "subject": msg.subject,
            "text": msg.body,
            **msg.payload,
        },
    }
    return json.dumps(document, sort_keys=True, ensure_ascii=False).encode()


def send_webhook(
    msg: Outgoing,
    settings: NotifySettings,
    *,
    client: httpx.Client | None = None,
    now: float | None = None,
) -> None:
    """POST the signed notice; 2xx is delivered, 410 Gone is permanent, the rest is retried."""
    if not msg.webhook_secret:
        owner = f"tenant {msg.tenant_id}" if msg.tenant_id else "operator webhooks"
        raise DeliveryError(f"{owner} has no webhook secret; set one, then retry", permanent=True)
    body = body_of(msg)
    stamp = int(time.time() if now is None else now)
    headers = {
        "content-type": "application/json",
        "user-agent": "aupguard-notify",
        "webhook-id": delivery_id(msg),
        "webhook-timestamp": str(stamp),
        "webhook-signature": signature(msg.webhook_secret, delivery_id(msg), stamp, body),
    }
    try:
        response = (client or httpx).post(
            msg.recipient, content=body, headers=headers, timeout=settings.webhook_timeout_s
        )
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        raise DeliveryError(f"bad webhook URL {msg.recipient!r}: {exc}", permanent=True) from None
    except httpx.HTTPError as exc:
        raise DeliveryError(f"webhook {msg.recipient} unreachable: {exc}") from None
    if response.status_code == 410:
        raise DeliveryError(f"webhook {msg.recipient} answered 410 Gone", permanent=True)
    if not 200 <= response.status_code < 300:
        raise DeliveryError(f"webhook {msg.recipient} answered {response.status_code}")
