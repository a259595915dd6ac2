"""API keys: created once, stored as prefix + sha256, checked per request with a scope."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from fastapi import HTTPException, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from aupguard.store.models import ApiKey

SCOPES = ("decide", "reporter", "admin")


def create_key(session: Session, name: str, scopes: list[str], tenant_id: str | None = None) -> str:
    """Store a new key and return it (shown once; only its hash is kept)."""
    bad = [s for s in scopes if s not in SCOPES]
    if bad or not scopes:
        raise ValueError(f"scopes must be some of {', '.join(SCOPES)} (got {scopes})")
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(24)
    key = f"agk_{prefix}_{secret}"
    session.add(
        ApiKey(
            name=name,
            prefix=prefix,
            hash=hashlib.sha256(key.encode()).hexdigest(),
            scopes=scopes,
            tenant_id=tenant_id,
            created_at=datetime.now(UTC),
        )
    )
    session.flush()
    return key


@dataclass(frozen=True, slots=True)
class Caller:
    key_id: int
    name: str
    scopes: frozenset[str]
    tenant_id: str | None

    @property
    def actor(self) -> str:
        return f"key:{self.key_id}:{self.name}"


def lookup(session: Session, key: str) -> Caller | None:
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != "agk":
        return None
    row = session.execute(select(ApiKey).where(ApiKey.prefix == parts[1])).scalar()
    if row is None or row.revoked_at is not None:
        return None
    if not hmac.compare_digest(row.hash, hashlib.sha256(key.encode()).hexdigest()):
        return None
    return Caller(row.id, row.name, frozenset(row.scopes), row.tenant_id)


def key_from(request: Request) -> str:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return request.headers.get("x-api-key", "").strip()


def unauthorized() -> HTTPException:
    return HTTPException(
        401,
        "an API key is required (Authorization: Bearer agk_...)",
        headers={"WWW-Authenticate": "Bearer"},
    )


def forbidden(scope: str) -> HTTPException:
    return HTTPException(403, f"this key lacks the {scope!r} scope")
