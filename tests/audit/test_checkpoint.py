"""The key lives in a 0600 file; checkpoints are rows and exported files; no tampered head."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from aupguard.audit.checkpoint import checkpoint, read_exported, signature_ok
from aupguard.audit.keys import generate_key, key_path, load_key, load_public_key
from aupguard.errors import AuditError
from aupguard.store.db import Store
from aupguard.store.models import AuditCheckpoint
from tests.audit.helpers import build_chain, signed, sql


def test_keygen_writes_a_private_0600_file_and_a_public_one(tmp_path: Path) -> None:
    key = generate_key(tmp_path / "k" / "audit.key")
    assert stat.S_IMODE(key.path.stat().st_mode) == 0o600
    assert load_key(key.path).key_id == key.key_id
    public = load_public_key(tmp_path / "k" / "audit.key.pub")
    assert public.public_bytes_raw() == key.public.public_bytes_raw()
    with pytest.raises(AuditError, match="refusing to overwrite"):
        generate_key(key.path)


def test_a_key_others_can_read_is_refused(tmp_path: Path) -> None:
    key = generate_key(tmp_path / "audit.key")
    key.path.chmod(0o644)
    with pytest.raises(AuditError, match="chmod 600"):
        load_key(key.path)


def test_key_path_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AUPGUARD_AUDIT_KEY", raising=False)
    with pytest.raises(AuditError, match="aupguard audit keygen"):
        key_path(None)
    monkeypatch.setenv("AUPGUARD_AUDIT_KEY", str(tmp_path / "a.key"))
    assert key_path(None) == tmp_path / "a.key"


def test_checkpoint_is_stored_and_exported_beside_the_key(db_url: str, tmp_path: Path) -> None:
    store = Store(db_url)
    build_chain(store, entries=3, verdicts=0)
    key = signed(store, tmp_path)
    exported = read_exported(tmp_path / "keys" / "checkpoints" / "3.json")
    with store.read() as s:
        row = s.get(AuditCheckpoint, 3)
    assert row is not None and (row.hash, row.signature) == (exported.hash, exported.signature)
    assert signature_ok(key.public, 3, exported.hash, exported.signature)
    assert not signature_ok(key.public, 4, exported.hash, exported.signature)
    assert json.loads(exported.path.read_text())["format"] == "aupguard-audit-checkpoint/1"
    exported.path.unlink()
    with store.write() as s:  # signing the same head again re-exports the file
        again = checkpoint(s, key)
    assert again.signature == row.signature and exported.path.exists()
    store.dispose()


def test_checkpoint_refuses_to_sign_a_tampered_chain(db_url: str, tmp_path: Path) -> None:
    store = Store(db_url)
    build_chain(store, entries=4, verdicts=0)
    key = signed(store, tmp_path)
    build_chain(store, entries=2, verdicts=0)
    sql(store, "UPDATE audit SET actor = 'nobody' WHERE seq = 5")
    with (
        pytest.raises(AuditError, match="refusing to sign: entry 5 was edited"),
        store.write() as s,
    ):
        checkpoint(s, key)
    store.dispose()


def test_an_empty_chain_has_nothing_to_sign(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'a.db'}")
    key = generate_key(tmp_path / "audit.key")
    with pytest.raises(AuditError, match="empty"), store.write() as s:
        checkpoint(s, key)


def test_checkpoint_refuses_to_sign_a_truncated_chain(db_url: str, tmp_path: Path) -> None:
    store = Store(db_url)
    build_chain(store, entries=5, verdicts=0)
    key = signed(store, tmp_path)
    sql(store, "DELETE FROM audit WHERE seq > 3", "DELETE FROM audit_checkpoints")
    with pytest.raises(AuditError, match="ends at entry 3 but checkpoint 5"), store.write() as s:
        checkpoint(s, key)
    sql(store, "DELETE FROM audit")
    with pytest.raises(AuditError, match="ends at entry 0 but checkpoint 5"), store.write() as s:
        checkpoint(s, key)
    store.dispose()
