"""Reviewer accounts (argon2id) and console sessions with CSRF tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from sqlalchemy import delete
from sqlalchemy.orm import Session

from aupguard.store.models import Reviewer, WebSession

ROLES = ("viewer", "reviewer", "admin")
SESSION_HOURS = 12
_HASHER = PasswordHasher()


def create_reviewer(
    session: Session, username: str, password: str, role: str, now: datetime
) -> Reviewer:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < 10:
        raise ValueError("passwords need at least 10 characters")
    if session.get(Reviewer, username) is not None:
        raise ValueError(f"reviewer {username!r} exists already")
    row = Reviewer(
        username=username, password_hash=_HASHER.hash(password), role=role, created_at=now
    )
    session.add(row)
    session.flush()
    return row


def check_password(session: Session, username: str, password: str) -> Reviewer | None:
    row = session.get(Reviewer, username)
    if row is None or row.disabled:
        _HASHER.hash(password)  # same work either way: no user enumeration by timing
        return None
    try:
        _HASHER.verify(row.password_hash, password)
    except (VerifyMismatchError, InvalidHashError):
        return None
    return row


@dataclass(frozen=True, slots=True)
class SessionInfo:
    username: str
    role: str
    csrf: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(session: Session, reviewer: Reviewer, now: datetime) -> tuple[str, str]:
    """A new session: (cookie token, CSRF token). Only the token's digest is stored."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    session.add(
        WebSession(
            id_hash=_digest(token),
            username=reviewer.username,
            csrf=csrf,
            created_at=now,
            expires_at=now + timedelta(hours=SESSION_HOURS),
        )
    )
    return token, csrf


def load_session(session: Session, token: str, now: datetime) -> SessionInfo | None:
    row = session.get(WebSession, _digest(token))
    if row is None or row.expires_at < now:
        return None
    reviewer = session.get(Reviewer, row.username)
    if reviewer is None or reviewer.disabled:
        return None
    return SessionInfo(reviewer.username, reviewer.role, row.csrf)


def close_session(session: Session, token: str) -> None:
    session.execute(delete(WebSession).where(WebSession.id_hash == _digest(token)))
