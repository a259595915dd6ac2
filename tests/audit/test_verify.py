"""`verify` names edited, removed, reordered and truncated entries, on both databases."""

from __future__ import annotations

from pathlib import Path

import pytest

from aupguard.audit.chain import entry_hash
from aupguard.audit.keys import generate_key
from aupguard.audit.merkle import record_digest
from aupguard.audit.verify import verify, verify_report
from aupguard.store.db import Store
from aupguard.store.models import AuditEntry, VerdictRecord
from tests.audit.helpers import build_chain, signed, sql


@pytest.fixture
def store(db_url: str) -> Store:
    store = Store(db_url)
    build_chain(store)
    return store


def _problems(store: Store, tmp_path: Path) -> list[str]:
    key = tmp_path / "keys" / "audit.key.pub"
    from aupguard.audit.keys import load_public_key

    with store.read() as s:
        found = verify(s, tmp_path / "keys" / "checkpoints", load_public_key(key))
    return [f"{p.kind}@{p.seq}: {p.message}" for p in found]


def test_intact_chain_verifies(store: Store, tmp_path: Path) -> None:
    key = signed(store, tmp_path)
    with store.read() as s:
        report = verify_report(s, tmp_path / "keys" / "checkpoints", key.public)
    assert report.ok, report.problems
    assert (report.entries, report.head_seq, report.newest_checkpoint) == (9, 9, 9)
    assert (report.batches, report.verdicts_sealed, report.verdicts_unsealed) == (1, 5, 0)
    assert report.checkpoints == 2  # the exported file and the database row


def test_edited_row_is_named(store: Store, tmp_path: Path) -> None:
    signed(store, tmp_path)
    sql(store, "UPDATE audit SET subject = 'action:999' WHERE seq = 3")
    problems = _problems(store, tmp_path)
    assert problems[0].startswith("edited@3: entry 3 was edited"), problems


def test_edited_and_rehashed_row_breaks_the_next_link(store: Store, tmp_path: Path) -> None:
    signed(store, tmp_path)
    with store.read() as s:
        e = s.get(AuditEntry, 4)
        assert e is not None
        forged = entry_hash(e.prev_hash, 4, e.time, e.actor, e.kind, "action:forged", e.data)
    sql(store, f"UPDATE audit SET subject = 'action:forged', hash = '{forged}' WHERE seq = 4")
    problems = _problems(store, tmp_path)
    assert problems == [
        "broken-link@5: entry 5 does not link to entry 4 (prev_hash differs): "
        "an entry was replaced and rehashed"
    ]


def test_rewritten_suffix_is_caught_by_the_signed_checkpoint(store: Store, tmp_path: Path) -> None:
    signed(store, tmp_path)
    with store.read() as s:
        entries = s.query(AuditEntry).order_by(AuditEntry.seq).all()
    prev, statements = entries[2].hash, []
    for e in entries[3:]:  # rewrite entry 4 and rehash everything after it, consistently
        subject = "action:forged" if e.seq == 4 else e.subject
        new = entry_hash(prev, e.seq, e.time, e.actor, e.kind, subject, e.data)
        statements.append(
            f"UPDATE audit SET subject = '{subject}', prev_hash = '{prev}', hash = '{new}' "
            f"WHERE seq = {e.seq}"
        )
        prev = new
    sql(store, *statements)
    problems = _problems(store, tmp_path)
    assert problems[0].startswith("checkpoint@9: entry 9 differs from signed checkpoint 9"), (
        problems
    )


def test_truncated_chain_is_named_thanks_to_the_exported_checkpoint(
    store: Store, tmp_path: Path
) -> None:
    signed(store, tmp_path)
    # Whoever deletes the newest rows can delete the checkpoint rows too; the file remains.
    sql(store, "DELETE FROM audit WHERE seq > 6", "DELETE FROM audit_checkpoints")
    problems = _problems(store, tmp_path)
    assert problems[0].startswith("truncated@7: entries 7..9 missing"), problems
    assert "the chain ends at entry 6" in problems[0]


def test_removed_row_in_the_middle_is_named(store: Store, tmp_path: Path) -> None:
    signed(store, tmp_path)
    sql(store, "DELETE FROM audit WHERE seq = 2")
    problems = _problems(store, tmp_path)
    assert problems == ["removed@2: entry 2 removed (the chain jumps to entry 3)"]


def test_removed_first_rows_are_named(store: Store, tmp_path: Path) -> None:
    signed(store, tmp_path)
    sql(store, "DELETE FROM audit WHERE seq <= 3")
    assert _problems(store, tmp_path)[0].startswith("removed@1: entries 1..3 removed")


def test_swapped_rows_are_named_as_reordered(store: Store, tmp_path: Path) -> None:
    signed(store, tmp_path)
    sql(
        store,
        "UPDATE audit SET seq = -1 WHERE seq = 3",
        "UPDATE audit SET seq = 3 WHERE seq = 4",
        "UPDATE audit SET seq = 4 WHERE seq = -1",
    )
    problems = _problems(store, tmp_path)
    assert problems[:2] == [
        "reordered@3: entry 3 was written as entry 4: entries reordered",
        "reordered@4: entry 4 was written as entry 3: entries reordered",
    ], problems


def test_tampered_checkpoint_file_fails_its_signature(store: Store, tmp_path: Path) -> None:
    signed(store, tmp_path)
    path = tmp_path / "keys" / "checkpoints" / "9.json"
    path.write_text(path.read_text().replace('"seq": 9', '"seq": 12'))
    (tmp_path / "keys" / "checkpoints" / "12.json").write_text(path.read_text())
    path.unlink()
    problems = _problems(store, tmp_path)
    assert problems[0].startswith("signature@12: checkpoint 12"), problems
    assert "bad signature" in problems[0]


def test_checkpoint_by_another_key_is_named_unless_that_key_is_given(
    store: Store, tmp_path: Path
) -> None:
    old = signed(store, tmp_path)
    other = generate_key(tmp_path / "other.key")
    with store.read() as s:
        problems = verify(s, tmp_path / "keys" / "checkpoints", other.public)
        assert problems and all(p.kind == "signature" for p in problems)
        assert "is signed by key" in problems[0].message
        assert verify(s, tmp_path / "keys" / "checkpoints", [other.public, old.public]) == []


def test_purging_originals_and_evidence_keeps_everything_valid(
    store: Store, tmp_path: Path
) -> None:
    signed(store, tmp_path)
    sql(
        store,
        "UPDATE verdicts SET original = NULL, original_until = NULL, explanation = '[]', "
        'signals = \'[{"name": "EICAR", "strength": 1.0, "deterministic": true, '
        '"detector": "eicar", "version": "1", "evidence": []}]\'',
    )
    assert _problems(store, tmp_path) == []


def test_edited_verdict_is_named(store: Store, tmp_path: Path) -> None:
    signed(store, tmp_path)
    sql(store, "UPDATE verdicts SET action = 'allow' WHERE event_id = 'evt-3'")
    problems = _problems(store, tmp_path)
    assert len(problems) == 2, problems
    assert "verdict 3 (event evt-3, batch 1) was edited" in problems[0]
    assert "verdict batch 1 (audit entry 9): the root of its 5 verdicts" in problems[1]


def test_verdict_edited_with_its_digest_breaks_the_batch_root(store: Store, tmp_path: Path) -> None:
    signed(store, tmp_path)
    with store.read() as s:
        record = s.query(VerdictRecord).filter_by(event_id="evt-2").one()
        record.action = "block"
        forged = record_digest(record)
    sql(store, f"UPDATE verdicts SET action = 'block', digest = '{forged}' WHERE id = {record.id}")
    problems = _problems(store, tmp_path)
    assert problems == [
        "batch@9: verdict batch 1 (audit entry 9): the root of its 5 verdicts no longer "
        "matches the root entered for 5 verdicts"
    ]


def test_removed_verdict_breaks_the_batch_root(store: Store, tmp_path: Path) -> None:
    signed(store, tmp_path)
    sql(store, "DELETE FROM verdicts WHERE event_id = 'evt-5'")
    problems = _problems(store, tmp_path)
    assert problems == [
        "batch@9: verdict batch 1 (audit entry 9): the root of its 4 verdicts no longer "
        "matches the root entered for 5 verdicts"
    ]
