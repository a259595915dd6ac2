"""Who may use the API and the console: hashed API keys, reviewer accounts, sessions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from aupguard.store.models.base import Base


class ApiKey(Base):
    """The key itself is never stored: only its prefix (to find it) and its sha256."""

    __tablename__ = "api_keys"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    hash: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[list[Any]]  # decide, reporter, admin
    tenant_id: Mapped[str | None] = mapped_column(String(64))  # a tenant's own key, if any
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class Reviewer(Base):
    __tablename__ = "reviewers"
    username: Mapped[str] = mapped_column(String(100), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(200))  # argon2id
    role: Mapped[str] = mapped_column(String(20))  # viewer, reviewer, admin
    created_at: Mapped[datetime]
    disabled: Mapped[bool] = mapped_column(default=False)


class WebSession(Base):
    __tablename__ = "web_sessions"
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(String(100))
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
