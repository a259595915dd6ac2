"""`verify` names edited, removed, reordered and truncated entries, on both databases.

One signed chain per database for the module; each test tampers inside a transaction
that is rolled back afterwards, so the scenarios cannot leak into each other.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from aupguard.audit.chain import entry_hash
from aupguard.audit.keys import AuditKey, generate_key
from aupguard.audit.merkle import record_digest
from aupguard.audit.verify import verify, verify_report
from aupguard.store.db import Store
from aupguard.store.models import AuditEntry, VerdictRecord
from tests.audit.helpers import build_chain, signed


@dataclass
class Chain:
    store: Store
    key: AuditKey
    checkpoints: Path


@dataclass
class Scene:
    """A connection inside a transaction that is rolled back: tamper, then verify."""

    conn: Connection
    session: Session
    chain: Chain

    def sql(self, *statements: str) -> None:
        for statement in statements:
            self.conn.execute(text(statement))

    def problems(self, checkpoints: Path | None = None) -> list[str]:
        self.session.expire_all()
        found = verify(self.session, checkpoints or self.chain.checkpoints, self.chain.key.public)
        return [f"{p.kind}@{p.seq}: {p.message}" for p in found]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def chain(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Chain]:
    home = tmp_path_factory.mktemp(request.param)

    def build(url: str) -> Chain:
        store = Store(url)
        build_chain(store)
        key = signed(store, home)
        return Chain(store, key, home / "keys" / "checkpoints")

    if request.param == "sqlite":
        made = build(f"sqlite:///{home / 'aupguard.db'}")
        yield made
        made.store.dispose()
    else:
        from tests.servers import postgres_schema

        with postgres_schema() as url:
            made = build(url)
            yield made
            made.store.dispose()


@pytest.fixture
def scene(chain: Chain) -> Iterator[Scene]:
    with chain.store.engine.connect() as conn:
        outer = conn.begin()
        session = Session(bind=conn, join_transaction_mode="create_savepoint")
        try:
            yield Scene(conn, session, chain)
        finally:
            session.close()
            outer.rollback()


def test_intact_chain_verifies(scene: Scene) -> None:
    report = verify_report(scene.session, scene.chain.checkpoints, scene.chain.key.public)
    assert report.ok, report.problems
    assert (report.entries, report.head_seq, report.newest_checkpoint) == (9, 9, 9)
    assert (report.batches, report.verdicts_sealed, report.verdicts_unsealed) == (1, 5, 0)
    assert report.checkpoints == 2  # the exported file and the database row


def test_edited_row_is_named(scene: Scene) -> None:
    scene.sql("UPDATE audit SET subject = 'action:999' WHERE seq = 3")
    problems = scene.problems()
    assert problems[0].startswith("edited@3: entry 3 was edited"), problems


def test_edited_and_rehashed_row_breaks_the_next_link(scene: Scene) -> None:
    e = scene.session.get(AuditEntry, 4)
    assert e is not None
    forged = entry_hash(e.prev_hash, 4, e.time, e.actor, e.kind, "action:forged", e.data)
    scene.sql(f"UPDATE audit SET subject = 'action:forged', hash = '{forged}' WHERE seq = 4")
    assert scene.problems() == [
        "broken-link@5: entry 5 does not link to entry 4 (prev_hash differs): "
        "an entry was replaced and rehashed"
    ]


def test_rewritten_suffix_is_caught_by_the_signed_checkpoint(scene: Scene) -> None:
    entries = scene.session.query(AuditEntry).order_by(AuditEntry.seq).all()
    prev, statements = entries[2].hash, []
    for e in entries[3:]:  # rewrite entry 4 and rehash everything after it, consistently
        subject = "action:forged" if e.seq == 4 else e.subject
        new = entry_hash(prev, e.seq, e.time, e.actor, e.kind, subject, e.data)
        statements.append(
            f"UPDATE audit SET subject = '{subject}', prev_hash = '{prev}', hash = '{new}' "
            f"WHERE seq = {e.seq}"
        )
        prev = new
    scene.sql(*statements)
    problems = scene.problems()
    assert problems[0].startswith("checkpoint@9: entry 9 differs from signed checkpoint 9"), (
        problems
    )


def test_truncated_chain_is_named_thanks_to_the_exported_checkpoint(scene: Scene) -> None:
    # Whoever deletes the newest rows can delete the checkpoint rows too; the file remains.
    scene.sql("DELETE FROM audit WHERE seq > 6", "DELETE FROM audit_checkpoints")
    problems = scene.problems()
    assert problems[0].startswith("truncated@7: entries 7..9 missing"), problems
    assert "the chain ends at entry 6" in problems[0]


def test_removed_row_in_the_middle_is_named(scene: Scene) -> None:
    scene.sql("DELETE FROM audit WHERE seq = 2")
    assert scene.problems() == ["removed@2: entry 2 removed (the chain jumps to entry 3)"]


def test_removed_first_rows_are_named(scene: Scene) -> None:
    scene.sql("DELETE FROM audit WHERE seq <= 3")
    assert scene.problems()[0].startswith("removed@1: entries 1..3 removed")


def test_swapped_rows_are_named_as_reordered(scene: Scene) -> None:
    scene.sql(
        "UPDATE audit SET seq = -1 WHERE seq = 3",
        "UPDATE audit SET seq = 3 WHERE seq = 4",
        "UPDATE audit SET seq = 4 WHERE seq = -1",
    )
    problems = scene.problems()
    assert problems[:2] == [
        "reordered@3: entry 3 was written as entry 4: entries reordered",
        "reordered@4: entry 4 was written as entry 3: entries reordered",
    ], problems


def test_tampered_checkpoint_file_fails_its_signature(scene: Scene, tmp_path: Path) -> None:
    copy = tmp_path / "checkpoints"
    shutil.copytree(scene.chain.checkpoints, copy)
    text_ = (copy / "9.json").read_text().replace('"seq": 9', '"seq": 12')
    (copy / "9.json").unlink()
    (copy / "12.json").write_text(text_)
    scene.sql("DELETE FROM audit_checkpoints")
    problems = scene.problems(copy)
    assert problems == [
        "signature@12: checkpoint 12 (" + str(copy / "12.json") + ") has a bad signature"
    ]


def test_checkpoint_by_another_key_is_named_unless_that_key_is_given(
    scene: Scene, tmp_path: Path
) -> None:
    other = generate_key(tmp_path / "other.key")
    problems = verify(scene.session, scene.chain.checkpoints, other.public)
    assert problems and all(p.kind == "signature" for p in problems)
    assert "is signed by key" in problems[0].message
    both = [other.public, scene.chain.key.public]
    assert verify(scene.session, scene.chain.checkpoints, both) == []


def test_purging_originals_and_evidence_keeps_everything_valid(scene: Scene) -> None:
    scene.sql(
        "UPDATE verdicts SET original = NULL, original_until = NULL, explanation = '[]', "
        'signals = \'[{"name": "EICAR", "strength": 1.0, "deterministic": true, '
        '"detector": "eicar", "version": "1", "evidence": []}]\'',
    )
    assert scene.problems() == []


def test_edited_verdict_is_named(scene: Scene) -> None:
    scene.sql("UPDATE verdicts SET action = 'allow' WHERE event_id = 'evt-3'")
    problems = scene.problems()
    assert len(problems) == 2, problems
    assert "verdict 3 (event evt-3, batch 1) was edited" in problems[0]
    assert "verdict batch 1 (audit entry 9): the root of its 5 verdicts" in problems[1]


def test_verdict_edited_with_its_digest_breaks_the_batch_root(scene: Scene) -> None:
    record = scene.session.query(VerdictRecord).filter_by(event_id="evt-2").one()
    scene.session.expunge(record)
    record.action = "block"
    forged = record_digest(record)
    scene.sql(f"UPDATE verdicts SET action = 'block', digest = '{forged}' WHERE id = {record.id}")
    assert scene.problems() == [
        "batch@9: verdict batch 1 (audit entry 9): the root of its 5 verdicts no longer "
        "matches the root entered for 5 verdicts"
    ]


def test_removed_verdict_breaks_the_batch_root(scene: Scene) -> None:
    scene.sql("DELETE FROM verdicts WHERE event_id = 'evt-5'")
    assert scene.problems() == [
        "batch@9: verdict batch 1 (audit entry 9): the root of its 4 verdicts no longer "
        "matches the root entered for 5 verdicts"
    ]
