"""Retention: old send-log days and expired originals go; digests and the chain stay."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from aupguard.enforce.retention import purge
from aupguard.settings import Settings
from aupguard.store.models import SendLogRow, VerdictRecord
from tests.enforce.helpers import EICAR_TEXT, T0, add_tenant, decider, sms


def test_purge_send_log_and_originals(db_url: str, tmp_path: Path) -> None:
    d = decider(db_url, tmp_path)
    d.settings = Settings(home=tmp_path / "home", retain_originals_days=1)
    add_tenant(d)
    d.decide(sms("old", "hello there", minutes=0))
    d.decide(sms("new", EICAR_TEXT, minutes=60 * 24 * 40))
    with d.store.read() as s:
        row = s.execute(select(VerdictRecord)).scalar_one()
        digest = row.digest
    with d.store.write() as s:
        done = purge(s, T0 + timedelta(days=45), send_log_days=30, actor="test")
    assert done.send_log_rows == 1
    with d.store.read() as s:
        assert s.execute(select(func.count()).select_from(SendLogRow)).scalar_one() == 1
        assert s.execute(select(VerdictRecord)).scalar_one().digest == digest
