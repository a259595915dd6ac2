"""Signed, expiring links that let a tenant reach its own pages without an account."""

from __future__ import annotations

import hashlib
import hmac

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from aupguard.settings import Settings

SALT = "aupguard-tenant-link"
DEFAULT_DAYS = 14


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret("links").hex(), salt=SALT)


def tenant_link(settings: Settings, tenant_id: str) -> str:
    token = _serializer(settings).dumps({"t": tenant_id})
    return f"{settings.public_url}/t/{token}"


def tenant_of(settings: Settings, token: str, max_days: int = DEFAULT_DAYS) -> str | None:
    """The tenant a link was made for, or None when forged or older than `max_days`."""
    try:
        data = _serializer(settings).loads(token, max_age=max_days * 86_400)
    except (SignatureExpired, BadSignature):
        return None
    tenant = data.get("t") if isinstance(data, dict) else None
    return tenant if isinstance(tenant, str) else None


def link_csrf(settings: Settings, token: str) -> str:
    """The CSRF value for forms on a tenant page: bound to that link."""
    return hmac.new(settings.secret("links"), f"csrf:{token}".encode(), hashlib.sha256).hexdigest()
