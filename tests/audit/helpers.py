"""Builders for audit tests: a chain with verdicts, batches and an exported checkpoint."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from aupguard.audit.chain import append
from aupguard.audit.checkpoint import checkpoint
from aupguard.audit.keys import AuditKey, generate_key
from aupguard.audit.merkle import record_digest, seal_verdicts
from aupguard.store.db import Store
from aupguard.store.models import VerdictRecord

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def verdict(n: int, *, tenant: str = "t1") -> VerdictRecord:
    """A stored verdict with evidence and an original, its digest set as `decide` will."""
    record = VerdictRecord(
        event_id=f"evt-{n}",
        tenant_id=tenant,
        time=T0 + timedelta(seconds=n, microseconds=123),
        channel="email",
        action="block" if n % 2 else "allow",
        shadow_action="allow",
        clauses=["malware"] if n % 2 else [],
        scores={"malware": 0.97 if n % 2 else 0.0, "phishing": 0.1 + n / 1000},
        signals=[
            {
                "name": "EICAR",
                "strength": 1.0,
                "deterministic": True,
                "detector": "eicar",
                "version": "1",
                "evidence": [{"part": "attachment:1", "excerpt": "mail to j***@example.com"}],
            }
        ],
        explanation=[f"EICAR test file in attachment 1 sent to jane{n}@example.com"],
        document_version="1.0",
        ruleset_version="2026.11",
        ruleset_hash="ab" * 32,
        model_hashes={"lang": "cd" * 32},
        content_digest=f"{n:064x}",
        digest="",
        original=b"encrypted original",
        original_until=T0 + timedelta(days=30),
    )
    record.digest = record_digest(record)
    return record


def build_chain(store: Store, *, entries: int = 8, verdicts: int = 5) -> None:
    """`entries` actions in the chain, then `verdicts` verdicts sealed in one batch."""
    with store.write() as s:
        for i in range(1, entries + 1):
            append(
                s,
                actor="system" if i % 2 else "reviewer:ana",
                kind="action",
                subject=f"action:{i}",
                data={"tenant": "t1", "kind": "warn", "evidence_digest": f"{i:064x}"},
                time=T0 + timedelta(minutes=i),
            )
        for n in range(1, verdicts + 1):
            s.add(verdict(n))
    with store.write() as s:
        seal_verdicts(s, now=T0 + timedelta(hours=1))


def signed(store: Store, tmp_path: Path) -> AuditKey:
    """A fresh key (outside the database) and a checkpoint of the current head."""
    key = generate_key(tmp_path / "keys" / "audit.key")
    with store.write() as s:
        checkpoint(s, key, now=T0 + timedelta(hours=2))
    return key


def sql(store: Store, *statements: str) -> None:
    """Tamper by hand, as someone with database access would."""
    with store.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
