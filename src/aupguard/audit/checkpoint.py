"""Signed checkpoints of the chain head, kept in the database and exported as JSON files."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from aupguard.audit.keys import AuditKey
from aupguard.audit.walk import walk_chain
from aupguard.errors import AuditError
from aupguard.store.models import AuditCheckpoint, AuditEntry

FORMAT = "aupguard-audit-checkpoint/1"


def signed_message(seq: int, entry_hash: str) -> bytes:
    """The bytes an Ed25519 checkpoint signature covers (domain-separated)."""
    return f"{FORMAT}\n{seq}\n{entry_hash}\n".encode()


def signature_ok(public: Ed25519PublicKey, seq: int, entry_hash: str, signature: str) -> bool:
    """True when `signature` (hex) signs (seq, hash) under `public`."""
    try:
        public.verify(bytes.fromhex(signature), signed_message(seq, entry_hash))
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclass(frozen=True, slots=True)
class ExportedCheckpoint:
    """A checkpoint as read back from its JSON file."""

    seq: int
    hash: str
    key_id: str
    signature: str
    created_at: datetime
    path: Path


def export_path(directory: Path, seq: int) -> Path:
    return directory / f"{seq}.json"


def export(row: AuditCheckpoint, directory: Path) -> Path:
    """Write `<directory>/<seq>.json` atomically (temp file, fsync, rename)."""
    directory.mkdir(parents=True, exist_ok=True)
    document = {
        "format": FORMAT,
        "seq": row.seq,
        "hash": row.hash,
        "key_id": row.key_id,
        "signature": row.signature,
        "created_at": row.created_at.astimezone(UTC).isoformat(),
    }
    target = export_path(directory, row.seq)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{row.seq}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(document, out, indent=2, sort_keys=True)
        out.write("\n")
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, target)
    return target


def read_exported(path: Path) -> ExportedCheckpoint:
    """Parse one exported checkpoint file; AuditError naming the file when malformed."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        if doc.get("format") != FORMAT:
            raise ValueError(f"format is {doc.get('format')!r}, expected {FORMAT!r}")
        return ExportedCheckpoint(
            seq=int(doc["seq"]),
            hash=str(doc["hash"]),
            key_id=str(doc["key_id"]),
            signature=str(doc["signature"]),
            created_at=datetime.fromisoformat(doc["created_at"]),
            path=path,
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise AuditError(f"{path}: not a readable audit checkpoint ({exc})") from None


def exported_files(directory: Path) -> list[Path]:
    """The checkpoint files of a directory, by sequence number."""
    if not directory.is_dir():
        return []
    found = [p for p in directory.glob("*.json") if p.stem.isdigit()]
    return sorted(found, key=lambda p: int(p.stem))


def _newest_signed(session: Session, key: AuditKey, directory: Path) -> tuple[int, str] | None:
    """The newest (seq, hash) this key signed, from the rows or the exported files."""
    found: list[tuple[int, str]] = []
    row = session.execute(
        select(AuditCheckpoint).order_by(AuditCheckpoint.seq.desc()).limit(1)
    ).scalar()
    if row is not None and signature_ok(key.public, row.seq, row.hash, row.signature):
        found.append((row.seq, row.hash))
    files = exported_files(directory)
    if files:
        newest = read_exported(files[-1])
        if signature_ok(key.public, newest.seq, newest.hash, newest.signature):
            found.append((newest.seq, newest.hash))
    return max(found, default=None)


def _refuse_if_tampered(
    session: Session, key: AuditKey, head: AuditEntry | None, directory: Path
) -> None:
    """Check the entries since the newest checkpoint: never sign a tampered or cut chain."""
    newest = _newest_signed(session, key, directory)
    head_seq = head.seq if head else 0
    if newest is not None and newest[0] > head_seq:
        raise AuditError(
            f"refusing to sign: the chain ends at entry {head_seq} but checkpoint {newest[0]} "
            "was signed (entries are missing); run `aupguard audit verify`"
        )
    if head is None:
        raise AuditError("the audit chain is empty: there is nothing to checkpoint yet")
    if newest is not None and newest[0] == head.seq and newest[1] != head.hash:
        raise AuditError(
            f"refusing to sign: entry {head.seq} differs from its signed checkpoint; "
            "run `aupguard audit verify`"
        )
    walk = walk_chain(session, since=newest, max_problems=1)
    if walk.problems:
        raise AuditError(
            f"refusing to sign: {walk.problems[0].message}; run `aupguard audit verify`"
        )


def checkpoint(
    session: Session,
    key: AuditKey,
    *,
    directory: Path | None = None,
    now: datetime | None = None,
) -> AuditCheckpoint:
    """Sign (seq, hash) of the chain head, store the row and export it as a JSON file.

    The file goes to `directory` (default: `checkpoints/` beside the key), outside the
    database, so deleting rows together with their checkpoints is still detected.
    Signing an already signed head re-exports the existing checkpoint.
    """
    head = session.execute(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).scalar()
    target = directory or key.path.parent / "checkpoints"
    _refuse_if_tampered(session, key, head, target)
    assert head is not None  # _refuse_if_tampered raised otherwise
    row = session.get(AuditCheckpoint, head.seq)
    if row is None or row.key_id != key.key_id:
        signature = key.private.sign(signed_message(head.seq, head.hash)).hex()
        when = (now or datetime.now(UTC)).replace(microsecond=0)
        if row is None:
            row = AuditCheckpoint(seq=head.seq, created_at=when, hash="", signature="", key_id="")
            session.add(row)
        row.hash, row.signature, row.key_id, row.created_at = (
            head.hash,
            signature,
            key.key_id,
            when,
        )
        session.flush()
    export(row, target)
    return row
