"""Verifying the audit trail: chain, signed checkpoints (truncation) and verdict batches."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from aupguard.audit.checkpoint import (
    ExportedCheckpoint,
    exported_files,
    read_exported,
    signature_ok,
)
from aupguard.audit.keys import key_id
from aupguard.audit.merkle import merkle_root, record_digest
from aupguard.audit.walk import Problem, walk_chain
from aupguard.errors import AuditError
from aupguard.store.models import AuditCheckpoint, VerdictBatch, VerdictRecord


@dataclass(slots=True)
class VerifyReport:
    """The outcome of `verify_report`: what was checked and every problem, first first."""

    entries: int = 0
    head_seq: int = 0
    head_hash: str = ""
    checkpoints: int = 0  # valid signed checkpoints, files and rows
    newest_checkpoint: int | None = None
    checkpoints_checked: bool = False
    batches: int = 0
    verdicts_sealed: int = 0
    verdicts_unsealed: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _candidates(
    session: Session, directory: Path | None
) -> tuple[list[ExportedCheckpoint], list[Problem]]:
    found: list[ExportedCheckpoint] = []
    problems: list[Problem] = []
    for path in exported_files(directory) if directory else []:
        try:
            found.append(read_exported(path))
        except AuditError as exc:
            problems.append(Problem("checkpoint", int(path.stem), str(exc)))
    for row in session.execute(select(AuditCheckpoint)).scalars():
        found.append(
            ExportedCheckpoint(
                row.seq, row.hash, row.key_id, row.signature, row.created_at, Path("<database>")
            )
        )
    return found, problems


def _check_checkpoints(
    report: VerifyReport,
    checkpoints: list[ExportedCheckpoint],
    hashes: dict[int, str],
    keys: dict[str, Ed25519PublicKey],
) -> None:
    valid: list[ExportedCheckpoint] = []
    for cp in checkpoints:
        where = f"checkpoint {cp.seq} ({cp.path})"
        public = keys.get(cp.key_id)
        if public is None:
            known = ", ".join(sorted(keys))
            report.problems.append(
                Problem("signature", cp.seq, f"{where} is signed by key {cp.key_id}, not {known}")
            )
        elif not signature_ok(public, cp.seq, cp.hash, cp.signature):
            report.problems.append(Problem("signature", cp.seq, f"{where} has a bad signature"))
        else:
            valid.append(cp)
    report.checkpoints = len(valid)
    for cp in valid:
        if cp.seq in hashes and hashes[cp.seq] != cp.hash:
            report.problems.append(
                Problem(
                    "checkpoint",
                    cp.seq,
                    f"entry {cp.seq} differs from signed checkpoint {cp.seq} ({cp.path}): "
                    "the chain up to it was rewritten",
                )
            )
    if valid:
        newest = max(valid, key=lambda c: c.seq)
        report.newest_checkpoint = newest.seq
        if newest.seq > report.head_seq:
            first = report.head_seq + 1
            span = f"entry {first}" if first == newest.seq else f"entries {first}..{newest.seq}"
            report.problems.append(
                Problem(
                    "truncated",
                    first,
                    f"{span} missing: the chain ends at entry {report.head_seq} but "
                    f"checkpoint {newest.seq} ({newest.path}) was signed "
                    f"{newest.created_at:%Y-%m-%d %H:%M} UTC",
                )
            )


def _check_batches(
    session: Session, report: VerifyReport, batches: list[tuple[int, dict[str, object]]]
) -> None:
    query = select(VerdictRecord).options(defer(VerdictRecord.original))
    in_chain: set[int] = set()
    for seq, data in batches:
        batch_id = int(str(data.get("batch")))
        in_chain.add(batch_id)
        rows = (
            session.execute(
                query.where(VerdictRecord.batch_id == batch_id).order_by(VerdictRecord.id)
            )
            .scalars()
            .all()
        )
        digests = []
        for row in rows:
            digest = record_digest(row)
            digests.append(digest)
            if digest != row.digest:
                report.problems.append(
                    Problem(
                        "verdict",
                        seq,
                        f"verdict {row.id} (event {row.event_id}, batch {batch_id}) was edited: "
                        "its fields no longer match its digest",
                    )
                )
        report.verdicts_sealed += len(rows)
        root = merkle_root(digests) if digests else ""
        if root != data.get("root"):
            report.problems.append(
                Problem(
                    "batch",
                    seq,
                    f"verdict batch {batch_id} (audit entry {seq}): the root of its "
                    f"{len(rows)} verdicts no longer matches the root entered for "
                    f"{data.get('count')} verdicts",
                )
            )
        stored = session.get(VerdictBatch, batch_id)
        if stored is None or stored.root != data.get("root"):
            report.problems.append(
                Problem(
                    "batch",
                    seq,
                    f"verdict batch {batch_id}: its row is missing or its root differs "
                    f"from audit entry {seq}",
                )
            )
    report.batches = len(in_chain)
    stray = session.execute(
        select(VerdictRecord.batch_id).where(VerdictRecord.batch_id.is_not(None)).distinct()
    ).scalars()
    for claimed in stray:
        if claimed is not None and claimed not in in_chain:
            report.problems.append(
                Problem(
                    "batch",
                    None,
                    f"verdicts claim batch {claimed}, which is not in the audit chain",
                )
            )
    unsealed = session.execute(
        query.where(VerdictRecord.batch_id.is_(None)).execution_options(yield_per=1000)
    ).scalars()
    for row in unsealed:
        report.verdicts_unsealed += 1
        if record_digest(row) != row.digest:
            report.problems.append(
                Problem(
                    "verdict",
                    None,
                    f"verdict {row.id} (event {row.event_id}, not yet sealed): its fields no "
                    "longer match its digest",
                )
            )


PublicKeys = Ed25519PublicKey | Sequence[Ed25519PublicKey] | None


def verify_report(
    session: Session, checkpoints_dir: Path | None, public_key: PublicKeys
) -> VerifyReport:
    """Check everything; checkpoints only when a public key is given.

    Several keys may be given (the current one and retired ones after a rotation).
    """
    if isinstance(public_key, Ed25519PublicKey):
        public_key = [public_key]
    keys = {key_id(k): k for k in public_key or ()}
    checkpoints, problems = _candidates(session, checkpoints_dir)
    walk = walk_chain(session, want={c.seq for c in checkpoints})
    report = VerifyReport(entries=walk.entries, head_seq=walk.head_seq, head_hash=walk.head_hash)
    report.problems.extend(walk.problems)
    if keys:
        report.checkpoints_checked = True
        report.problems.extend(problems)
        _check_checkpoints(report, checkpoints, walk.hashes, keys)
    _check_batches(session, report, walk.batches)
    report.problems.sort(key=lambda p: (p.seq is None, p.seq or 0))
    return report


def verify(session: Session, checkpoints_dir: Path | None, public_key: PublicKeys) -> list[Problem]:
    """Every problem with the audit trail, the first bad entry first; empty when intact."""
    return verify_report(session, checkpoints_dir, public_key).problems
