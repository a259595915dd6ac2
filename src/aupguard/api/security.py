"""API keys: created once, stored as prefix + sha256, checked per request with a scope."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from fastapi import HTTPException, Request
from sqlalchemy import select, update
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


def revoke_key(session: Session, prefix: str, now: datetime) -> bool:
    """Revoke the key with this prefix (the part after `agk_`); False if none is active.
    Servers that cached it refuse it within `KeyCache.TTL` seconds."""
    done = session.execute(
        update(ApiKey)
        .where(ApiKey.prefix == prefix, ApiKey.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return bool(getattr(done, "rowcount", 0))


class KeyCache:
    """Callers of recently seen keys, by the key's sha256, for `TTL` seconds: a decision
    then costs no database read for its key. A key revoked by another process (the CLI,
    another server) is refused here at most `TTL` seconds later; `forget` drops it at once
    in this process. Only keys that were found valid are kept."""

    TTL = 5.0
    MAX = 10_000

    def __init__(self, ttl: float = TTL, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.clock = clock
        self._seen: dict[str, tuple[float, Caller]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def digest(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    def get(self, key: str) -> Caller | None:
        hit = self._seen.get(self.digest(key))
        if hit is None or hit[0] < self.clock():
            return None
        return hit[1]

    def put(self, key: str, caller: Caller) -> None:
        with self._lock:
            if len(self._seen) >= self.MAX:
                self._seen.clear()
            self._seen[self.digest(key)] = (self.clock() + self.ttl, caller)

    def forget(self) -> None:
        """Drop every cached key (after a revocation in this process)."""
        with self._lock:
            self._seen.clear()


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
