"""Hash banks and their entries, and media evidence held for cases (encrypted)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from aupguard.store.models.base import Base


class HashBankRow(Base):
    __tablename__ = "hash_banks"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(10))  # csam, terror, ip
    description: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime]


class BankEntryRow(Base):
    __tablename__ = "bank_entries"
    __table_args__ = (UniqueConstraint("bank", "algorithm", "value"),)
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    bank: Mapped[str] = mapped_column(ForeignKey("hash_banks.name"), index=True)
    algorithm: Mapped[str] = mapped_column(String(10))  # sha256, md5, pdq
    value: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(String(200), default="")  # source list, case id, ...
    added_at: Mapped[datetime]


class HeldEvidence(Base):
    """Media kept as evidence for a case, encrypted; under legal hold never shown unblurred."""

    __tablename__ = "held_evidence"
    __table_args__ = (
        UniqueConstraint("case_id", "event_id", "part"),
        Index("ix_held_evidence_case", "case_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    event_id: Mapped[str] = mapped_column(String(128))
    part: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)  # Fernet-encrypted original bytes
    legal_hold: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime]
