"""The append-only, hash-chained audit log, verdict Merkle batches and signed checkpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from aupguard.store.models.base import Base


class AuditEntry(Base):
    """Ids and digests only, so purging personal data never breaks the chain."""

    __tablename__ = "audit"
    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    time: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(200))
    data: Mapped[dict[str, Any]]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class VerdictBatch(Base):
    __tablename__ = "verdict_batches"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    first_verdict: Mapped[int]
    last_verdict: Mapped[int]
    root: Mapped[str] = mapped_column(String(64))
    audit_seq: Mapped[int]


class AuditCheckpoint(Base):
    __tablename__ = "audit_checkpoints"
    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    hash: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(200))
    key_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
