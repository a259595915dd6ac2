"""Verdict digests ignore purgeable fields; batches are RFC 6962 roots; sealing is exact."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aupguard.audit.merkle import (
    check_inclusion,
    merkle_root,
    prove_inclusion,
    record_digest,
    seal_verdicts,
)
from aupguard.errors import AuditError
from aupguard.store.db import Store
from aupguard.store.models import AuditEntry, VerdictBatch, VerdictRecord
from tests.audit.helpers import verdict


def _rfc6962(leaves: list[bytes]) -> bytes:
    """MTH from RFC 6962 section 2.1, written out independently of pymerkle."""
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + _rfc6962(leaves[:k]) + _rfc6962(leaves[k:])).digest()


@given(st.lists(st.binary(min_size=32, max_size=32), min_size=1, max_size=40))
def test_root_is_the_rfc6962_tree_hash(leaves: list[bytes]) -> None:
    assert merkle_root([leaf.hex() for leaf in leaves]) == _rfc6962(leaves).hex()


def test_inclusion_proofs_link_a_verdict_to_its_root() -> None:
    digests = [hashlib.sha256(str(i).encode()).hexdigest() for i in range(11)]
    root = merkle_root(digests)
    for index in (1, 6, 11):
        proof = prove_inclusion(digests, index)
        assert proof.root == root and check_inclusion(proof)
    assert not check_inclusion(replace(prove_inclusion(digests, 3), digest=digests[4]))


def test_digest_covers_decisions_but_not_purgeable_fields() -> None:
    base = verdict(1)
    digest = record_digest(base)
    base.original, base.original_until, base.explanation = None, None, []
    base.signals = [{k: v for k, v in s.items() if k != "evidence"} for s in base.signals]
    assert record_digest(base) == digest
    base.action = "allow"
    assert record_digest(base) != digest


def test_seal_batches_in_id_order_and_enters_the_root(db_url: str) -> None:
    store = Store(db_url)
    with store.write() as s:
        s.add_all(verdict(n) for n in range(1, 8))
    with store.write() as s:
        first = seal_verdicts(s, max_batch=5)
        second = seal_verdicts(s, max_batch=5)
        assert seal_verdicts(s) is None
    assert first is not None and second is not None
    assert (first.first_verdict, first.last_verdict, second.first_verdict) == (1, 5, 6)
    with store.read() as s:
        entry = s.get(AuditEntry, second.audit_seq)
        assert entry is not None and entry.kind == "verdict_batch"
        assert entry.data == {"batch": 2, "root": second.root, "count": 2, "first": 6, "last": 7}
        rows = s.query(VerdictRecord).filter_by(batch_id=2).order_by(VerdictRecord.id).all()
        assert second.root == merkle_root([r.digest for r in rows])
    store.dispose()


def test_seal_refuses_a_verdict_whose_digest_does_not_match(db_url: str) -> None:
    store = Store(db_url)
    with store.write() as s:
        bad = verdict(1)
        bad.digest = "0" * 64
        s.add(bad)
    with pytest.raises(AuditError, match=r"verdict 1 .*record_digest"), store.write() as s:
        seal_verdicts(s)
    store.dispose()


def test_a_verdict_committed_late_lands_in_the_next_batch(db_url: str) -> None:
    """PostgreSQL hands out ids before commit: id 1 may commit after id 2 was sealed."""
    if db_url.startswith("sqlite"):
        pytest.skip("SQLite writers are serialized; ids always commit in order")
    store = Store(db_url)
    inserted, release = threading.Event(), threading.Event()

    def slow_writer() -> None:
        with store.write() as s:
            s.add(verdict(1))
            s.flush()  # takes id 1, not yet committed
            inserted.set()
            release.wait(10)

    worker = threading.Thread(target=slow_writer)
    worker.start()
    assert inserted.wait(10)
    with store.write() as s:
        s.add(verdict(2))
    with store.write() as s:
        early = seal_verdicts(s)
    release.set()
    worker.join()
    with store.write() as s:
        late = seal_verdicts(s)
    assert early is not None and late is not None
    with store.read() as s:
        batches = {v.event_id: v.batch_id for v in s.query(VerdictRecord)}
        assert batches == {"evt-2": early.id, "evt-1": late.id}
        assert s.query(VerdictBatch).count() == 2
    store.dispose()
