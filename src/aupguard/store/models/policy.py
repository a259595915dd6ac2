"""AUP versions, acceptances, ruleset versions and durable consent marks."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from aupguard.store.models.base import Base


class AupVersion(Base):
    __tablename__ = "aup_versions"
    version: Mapped[str] = mapped_column(String(20), primary_key=True)
    effective: Mapped[date] = mapped_column(Date)
    digest: Mapped[str] = mapped_column(String(64))
    document: Mapped[str] = mapped_column(Text)  # the YAML as published
    published_at: Mapped[datetime]
    published_by: Mapped[str] = mapped_column(String(100))


class Acceptance(Base):
    __tablename__ = "acceptances"
    __table_args__ = (UniqueConstraint("tenant_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    version: Mapped[str] = mapped_column(ForeignKey("aup_versions.version"))
    how: Mapped[str] = mapped_column(String(10))  # explicit, use
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(100))


class RulesetVersion(Base):
    __tablename__ = "ruleset_versions"
    hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[str] = mapped_column(String(40))
    ruleset: Mapped[str] = mapped_column(Text)
    activated_at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(default=False)


class ConsentMark(Base):
    """Opt-outs are durable: kept in the database, not in an expiring window."""

    __tablename__ = "consent"
    key: Mapped[str] = mapped_column(String(400), primary_key=True)  # consent:<scope>:<recipient>
    value: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime]
