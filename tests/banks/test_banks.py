"""Hash banks: list parsing, import into the store (SQLite and PostgreSQL), matching."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aupguard.banks.lists import create_bank, import_entries, load_snapshot, parse_lines
from aupguard.banks.model import BankEntry, BankSnapshot, Purpose
from aupguard.cli.main import app
from aupguard.detectors.context import Context
from aupguard.detectors.hash_banks import HashBanksDetector
from aupguard.errors import InputError, NotFound
from aupguard.events.normalize import views_for
from aupguard.store.db import Store
from tests.detectors.samples import mail

SHA = hashlib.sha256(b"known file").hexdigest()
PDQ = "f" * 64


def test_parse_lines_hma_csv_and_bare_hex() -> None:
    text = f"signal_type,signal\npdq,{PDQ},list A\n# comment\nsha256,{SHA}\n{'a' * 32}\n"
    assert parse_lines(text, None) == [
        ("pdq", PDQ, "list A"),
        ("sha256", SHA, ""),
        ("md5", "a" * 32, ""),
    ]
    assert parse_lines(SHA + "\n", "sha256") == [("sha256", SHA, "")]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (SHA, "pass --algorithm"),
        ("pdq,abc", "64 hex digits"),
        ("sha1," + "a" * 40, "expected sha256, md5 or pdq"),
    ],
)
def test_parse_errors_name_the_line(text: str, error: str) -> None:
    with pytest.raises(InputError, match=error):
        parse_lines(text, None)


def test_import_and_snapshot(db_url: str) -> None:
    store = Store(db_url)
    now = datetime.now(UTC)
    with store.write() as s:
        create_bank(s, "known-ip", Purpose.IP, now)
        first = import_entries(s, "known-ip", [("sha256", SHA, ""), ("pdq", PDQ, "")], now)
        again = import_entries(s, "known-ip", [("sha256", SHA, "")], now)
        with pytest.raises(NotFound):
            import_entries(s, "nope", [], now)
    assert (first.added, again.added, again.duplicates) == (2, 0, 1)
    snap = load_snapshot(store)
    assert len(snap) == 2 and snap.match_digest("sha256", SHA.upper())
    near = hex(int(PDQ, 16) ^ 0b1011)[2:]  # 3 bits away
    hit = snap.match_pdq(near)
    assert hit and hit[0].distance == 3 and not snap.match_pdq("0" * 64)
    store.dispose()


def test_detector_matches_attachments_by_digest() -> None:
    snap = BankSnapshot([BankEntry("known-ip", Purpose.IP, "sha256", SHA)])
    detector = HashBanksDetector()
    found = detector.check(views_for(mail("hi", ("movie.mkv", b"known file"))), Context(banks=snap))
    assert [s.name for s in found] == ["IP_HASH_MATCH"] and found[0].deterministic
    assert detector.check(views_for(mail("hi", ("a.bin", b"other"))), Context(banks=snap)) == []
    assert detector.check(views_for(mail("hi", ("a.bin", b"known file"))), Context()) == []


def test_banks_cli(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'b.db'}"
    listing = tmp_path / "list.csv"
    listing.write_text(f"sha256,{SHA}\n")
    runner = CliRunner()
    env = {"AUPGUARD_HOME": str(tmp_path / "home")}
    r = runner.invoke(app, ["banks", "create", "ip", "--purpose", "ip", "--db", db], env=env)
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["banks", "import", "ip", str(listing), "--db", db], env=env)
    assert r.exit_code == 0 and "1 added" in r.output, r.output
    bad = tmp_path / "bad.txt"
    bad.write_text("zzz\n")
    r = runner.invoke(app, ["banks", "import", "ip", str(bad), "--db", db], env=env)
    assert r.exit_code != 0 and "line 1" in r.output
    r = runner.invoke(app, ["banks", "list", "--db", db], env=env)
    assert "ip" in r.output and "1" in r.output
