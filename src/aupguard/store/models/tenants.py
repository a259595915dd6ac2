"""Tenants, their identities with proof, and their versioned status per channel/identity."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from aupguard.store.models.base import Base


class Tenant(Base):
    __tablename__ = "tenants"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(320))
    webhook_url: Mapped[str | None] = mapped_column(String(2000))
    webhook_secret: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]


class IdentityRow(Base):
    """A domain, alias, remailer, number, sender ID, IP range or brand, with its proof."""

    __tablename__ = "identities"
    __table_args__ = (
        UniqueConstraint("tenant_id", "kind", "value"),
        Index("ix_identities_kind_value", "kind", "value"),
    )
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    kind: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(320))
    workload: Mapped[str | None] = mapped_column(String(64))
    proof: Mapped[str | None] = mapped_column(String(500))  # TXT token, registration id, ...
    verified_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class StatusRow(Base):
    """Current status for (tenant, channel, identity); '*' means every channel/identity."""

    __tablename__ = "tenant_status"
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
    identity: Mapped[str] = mapped_column(String(320), primary_key=True)
    state: Mapped[str] = mapped_column(String(20))  # active, restricted, suspended, terminated
    restriction: Mapped[str | None] = mapped_column(String(20))  # throttle, defer, block
    case_id: Mapped[int | None]
    action_id: Mapped[int | None]
    version: Mapped[int]
    updated_at: Mapped[datetime]


class StatusVersion(Base):
    """One row: bumped in the same transaction as any status change, polled by caches."""

    __tablename__ = "status_version"
    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int]
