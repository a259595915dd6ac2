"""Verdicts sealed in batches under RFC 6962 Merkle roots, each root entered in the chain."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pymerkle import InmemoryTree, InvalidProof, verify_inclusion
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from aupguard.audit.chain import LOCK_KEY, append
from aupguard.errors import AuditError
from aupguard.store.models import VerdictBatch, VerdictRecord

DIGEST_VERSION = "v1"
# The keys of a stored signal that the digest covers; `evidence` (masked excerpts) is not
# among them, so purging evidence leaves every digest, root and the chain valid.
SIGNAL_KEYS = ("name", "detector", "version", "deterministic", "strength")
DEFAULT_MAX_BATCH = 1000


def _number(value: Any) -> Any:
    # Scores and strengths are rounded so that a float's round trip through either
    # database's JSON column cannot change the digest.
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    return round(float(value), 6)


def verdict_digest(
    *,
    event_id: str,
    tenant_id: str | None,
    time: datetime,
    channel: str,
    action: str,
    shadow_action: str,
    clauses: Sequence[str],
    scores: Mapping[str, float],
    signals: Sequence[Mapping[str, Any]],
    document_version: str,
    ruleset_version: str,
    ruleset_hash: str,
    model_hashes: Mapping[str, str],
    content_digest: str,
) -> str:
    """sha256 of a verdict's non-personal fields: what `VerdictRecord.digest` must hold.

    Covered: ids, time, channel, actions, violated clauses, scores, each signal's name,
    detector, version, determinism and strength, the policy versions and hashes, model
    hashes and the content digest. Not covered (purgeable): `original`,
    `original_until`, `explanation` and each signal's `evidence`.
    """
    body = [
        DIGEST_VERSION,
        event_id,
        tenant_id,
        time.astimezone(UTC).isoformat(),
        channel,
        action,
        shadow_action,
        list(clauses),
        {k: _number(v) for k, v in scores.items()},
        [{k: _number(s.get(k)) for k in SIGNAL_KEYS} for s in signals],
        document_version,
        ruleset_version,
        ruleset_hash,
        dict(model_hashes),
        content_digest,
    ]
    blob = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


def record_digest(record: VerdictRecord) -> str:
    """`verdict_digest` over a stored record's fields (set `record.digest` to this)."""
    return verdict_digest(
        event_id=record.event_id,
        tenant_id=record.tenant_id,
        time=record.time,
        channel=record.channel,
        action=record.action,
        shadow_action=record.shadow_action,
        clauses=record.clauses,
        scores=record.scores,
        signals=record.signals,
        document_version=record.document_version,
        ruleset_version=record.ruleset_version,
        ruleset_hash=record.ruleset_hash,
        model_hashes=record.model_hashes,
        content_digest=record.content_digest,
    )


def _tree(digests: Sequence[str]) -> InmemoryTree:
    tree = InmemoryTree(algorithm="sha256")
    for digest in digests:
        tree.append_entry(bytes.fromhex(digest))
    return tree


def merkle_root(digests: Sequence[str]) -> str:
    """The RFC 6962 Merkle tree hash (hex) over hex digests, in order; never empty."""
    if not digests:
        raise ValueError("a Merkle root needs at least one digest")
    return bytes(_tree(digests).get_root()).hex()


@dataclass(frozen=True, slots=True)
class InclusionProof:
    """Proof that one verdict digest is leaf `index` (1-based) under a batch root."""

    digest: str
    index: int
    size: int
    root: str
    proof: dict[str, Any]  # pymerkle's serialized InclusionProof (RFC 6962 audit path)


def prove_inclusion(digests: Sequence[str], index: int) -> InclusionProof:
    """An inclusion proof for `digests[index - 1]`, to hand to a tenant or auditor."""
    tree = _tree(digests)
    proof = tree.prove_inclusion(index, len(digests))
    root = bytes(tree.get_root()).hex()
    return InclusionProof(digests[index - 1], index, len(digests), root, proof.serialize())


def check_inclusion(proof: InclusionProof) -> bool:
    """True when the proof links the digest to the root."""
    from pymerkle import InclusionProof as PymerkleProof

    leaf = bytes(InmemoryTree(algorithm="sha256").hash_buff(bytes.fromhex(proof.digest)))
    try:
        verify_inclusion(leaf, bytes.fromhex(proof.root), PymerkleProof.deserialize(proof.proof))
    except InvalidProof:
        return False
    return True


def seal_verdicts(
    session: Session,
    *,
    max_batch: int = DEFAULT_MAX_BATCH,
    actor: str = "system",
    now: datetime | None = None,
) -> VerdictBatch | None:
    """Seal up to `max_batch` unsealed verdicts (id order) under one Merkle root.

    Stores a VerdictBatch, marks its verdicts and appends a `verdict_batch` audit entry
    holding the root, in the caller's transaction. Returns None when nothing is unsealed.
    """
    if max_batch < 1:
        raise ValueError("max_batch must be at least 1")
    if session.get_bind().dialect.name == "postgresql":
        # The chain's lock also serializes sealers, so no verdict lands in two batches.
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})
    rows = (
        session.execute(
            select(VerdictRecord)
            .where(VerdictRecord.batch_id.is_(None))
            .order_by(VerdictRecord.id)
            .limit(max_batch)
        )
        .scalars()
        .all()
    )
    if not rows:
        return None
    for row in rows:
        if row.digest != record_digest(row):
            raise AuditError(
                f"verdict {row.id} (event {row.event_id}): its stored digest is not the digest "
                "of its fields; record verdicts with digest=aupguard.audit.merkle.record_digest"
                " and check for tampering before sealing"
            )
    digests = [r.digest for r in rows]
    root = merkle_root(digests)
    batch = VerdictBatch(first_verdict=rows[0].id, last_verdict=rows[-1].id, root=root, audit_seq=0)
    session.add(batch)
    session.flush()
    for row in rows:
        row.batch_id = batch.id
    entry = append(
        session,
        actor=actor,
        kind="verdict_batch",
        subject=f"batch:{batch.id}",
        data={
            "batch": batch.id,
            "root": root,
            "count": len(rows),
            "first": rows[0].id,
            "last": rows[-1].id,
        },
        time=now,
    )
    batch.audit_seq = entry.seq
    session.flush()
    return batch
