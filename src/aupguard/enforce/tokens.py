"""Opaque signed feedback tokens and keyed recipient digests for the send log."""

from __future__ import annotations

import base64
import hashlib
import hmac

PREFIX = "agf1"


def _b32(data: bytes) -> str:
    return base64.b32encode(data).decode().rstrip("=").lower()


def feedback_token(key: bytes, event_id: str) -> str:
    """`agf1-<id part>-<mac>`: reveals nothing, and a forged token fails `token_valid`."""
    ident = hashlib.sha256(event_id.encode()).digest()[:10]
    mac = hmac.new(key, ident, hashlib.sha256).digest()[:8]
    return f"{PREFIX}-{_b32(ident)}-{_b32(mac)}"


def token_valid(key: bytes, token: str) -> bool:
    try:
        prefix, ident, mac = token.strip().lower().split("-")
        raw = base64.b32decode(ident.upper() + "=" * (-len(ident) % 8))
    except ValueError:
        return False
    expected = _b32(hmac.new(key, raw, hashlib.sha256).digest()[:8])
    return prefix == PREFIX and hmac.compare_digest(expected, mac)


def recipient_digest(key: bytes, recipients: tuple[str, ...]) -> str | None:
    """Keyed, so a digest cannot be reversed by hashing a list of known addresses."""
    if not recipients:
        return None
    joined = "\n".join(sorted(r.strip().lower() for r in recipients))
    return hmac.new(key, joined.encode(), hashlib.sha256).hexdigest()
