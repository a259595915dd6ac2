"""Walking the hash chain in seq order, naming edited, removed and reordered entries."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from aupguard.audit.chain import GENESIS, entry_hash
from aupguard.store.models import AuditEntry

REORDER_WINDOW = 64  # how far from its place a moved entry is looked for


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the audit trail; `seq` is the entry it concerns, if any.

    kinds: edited, removed, reordered, broken-link, truncated, checkpoint, signature,
    verdict, batch.
    """

    kind: str
    seq: int | None
    message: str


@dataclass(slots=True)
class ChainWalk:
    """What a walk saw: counts, the head, wanted hashes by seq, batch entries, problems."""

    entries: int = 0
    first_seq: int | None = None
    head_seq: int = 0
    head_hash: str = GENESIS
    hashes: dict[int, str] = field(default_factory=dict)
    batches: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _written_as(session: Session, row: Any) -> int | None:
    """The seq an entry was hashed with, when it now sits at another seq (moved)."""

    def fits(seq: int) -> bool:
        digest = entry_hash(
            row.prev_hash, seq, row.time, row.actor, row.kind, row.subject, row.data
        )
        return bool(digest == row.hash)

    follower = session.execute(select(AuditEntry.seq).where(AuditEntry.prev_hash == row.hash))
    for (after,) in follower:
        if after - 1 != row.seq and fits(after - 1):
            return int(after) - 1
    for offset in range(1, REORDER_WINDOW + 1):
        for seq in (int(row.seq) - offset, int(row.seq) + offset):
            if seq >= 1 and fits(seq):
                return seq
    return None


def walk_chain(
    session: Session,
    *,
    want: Collection[int] = (),
    since: tuple[int, str] | None = None,
    max_problems: int = 100,
) -> ChainWalk:
    """Recompute every entry's hash and link; stream the chain, never load it whole.

    `since=(seq, hash)` starts after a trusted entry (a signed checkpoint) instead of at 1.
    """
    walk = ChainWalk()
    columns = (
        AuditEntry.seq,
        AuditEntry.time,
        AuditEntry.actor,
        AuditEntry.kind,
        AuditEntry.subject,
        AuditEntry.data,
        AuditEntry.prev_hash,
        AuditEntry.hash,
    )
    start, prev_hash = since or (0, GENESIS)
    result = session.execute(
        select(*columns)
        .where(AuditEntry.seq > start)
        .order_by(AuditEntry.seq)
        .execution_options(yield_per=2000)
    )
    expected, flagged_prev = start + 1, False
    walk.head_seq, walk.head_hash = start, prev_hash

    def report(kind: str, seq: int | None, message: str) -> None:
        if len(walk.problems) < max_problems:
            walk.problems.append(Problem(kind, seq, message))

    for row in result:
        walk.entries += 1
        walk.first_seq = walk.first_seq or row.seq
        flagged = False
        if row.seq > expected:
            span = (
                f"entry {expected}"
                if row.seq == expected + 1
                else f"entries {expected}..{row.seq - 1}"
            )
            report("removed", expected, f"{span} removed (the chain jumps to entry {row.seq})")
            flagged = True
        recomputed = entry_hash(
            row.prev_hash, row.seq, row.time, row.actor, row.kind, row.subject, row.data
        )
        if recomputed != row.hash:
            moved = _written_as(session, row)
            if moved is not None:
                report(
                    "reordered",
                    row.seq,
                    f"entry {row.seq} was written as entry {moved}: entries reordered",
                )
            else:
                report(
                    "edited",
                    row.seq,
                    f"entry {row.seq} was edited: its hash does not match its content",
                )
            flagged = True
        elif row.prev_hash != prev_hash and not flagged and not flagged_prev:
            before = "the genesis hash" if row.seq == 1 else f"entry {row.seq - 1}"
            report(
                "broken-link",
                row.seq,
                f"entry {row.seq} does not link to {before} (prev_hash differs): "
                "an entry was replaced and rehashed",
            )
            flagged = True
        if row.seq in want:
            walk.hashes[row.seq] = row.hash
        if row.kind == "verdict_batch" and isinstance(row.data, dict):
            walk.batches.append((row.seq, row.data))
        expected, prev_hash, flagged_prev = row.seq + 1, row.hash, flagged
        walk.head_seq, walk.head_hash = row.seq, row.hash
    return walk
