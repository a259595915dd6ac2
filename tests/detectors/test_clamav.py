"""ClamAV through a real clamd (loopback unix socket) and what is caught without it."""

from __future__ import annotations

import time
from pathlib import Path

from aupguard.aup.load import load_document
from aupguard.detectors.clamav import ClamavDetector, ClamavOptions, instream
from aupguard.detectors.context import Context
from aupguard.engine import Engine
from aupguard.events.model import Event
from aupguard.events.normalize import views_for
from aupguard.events.sources import read_file
from aupguard.rules.load import load_ruleset
from tests.detectors.malware_samples import EICAR_TEXT
from tests.detectors.samples import mail

# RAR needs ClamAV's non-free unrar, which Debian's clamav does not ship.
CLAMD_CANNOT_OPEN = {"clam-v2.rar", "clam-v3.rar"}
# Compressed or encoded where no maintained Python library reads them: seen as opaque
# containers (ARCHIVE_UNSCANNABLE) without clamd, caught by name and signature with it.
OPAQUE_WITHOUT_CLAMD = {
    "clam-v2.rar",
    "clam-v3.rar",
    "clam.arj",
    "clam.d64.zip",
    "clam.impl.zip",
    "clam.exe.binhex",
    "clam.exe.szdd",
}
EXECUTABLE_SIGNALS = {
    "ATTACHMENT_EXECUTABLE",
    "YARA_MATCH",
    "OFFICE_EMBEDDED_EXECUTABLE",
    "ATTACHMENT_SCRIPT",
    "ARCHIVE_TOO_DEEP",
}


def _events(path: Path) -> list[Event]:
    return [e for e in read_file(path) if isinstance(e, Event)]


def test_instream_finds_eicar(clamd_socket: str) -> None:
    assert instream(clamd_socket, EICAR_TEXT, 5.0) == "Eicar-Test-Signature.UNOFFICIAL"
    assert instream(clamd_socket, b"hello", 5.0) is None


def test_every_container_is_detected_with_clamd(
    clamd_socket: str, clamav_files: list[Path]
) -> None:
    detector = ClamavDetector(ClamavOptions(socket=clamd_socket))
    missed = []
    for path in clamav_files:
        events = _events(path)
        names = {s.name for e in events for s in detector.check(views_for(e), Context())}
        if "CLAMAV_FOUND" not in names and path.name not in CLAMD_CANNOT_OPEN:
            missed.append(path.name)
    assert len(clamav_files) == 43
    assert not missed


def test_without_clamd_structure_and_yara_flag_the_executables(clamav_files: list[Path]) -> None:
    document = load_document(None)
    engine = Engine(load_ruleset(None, document), document)
    missed, opaque = [], []
    for path in clamav_files:
        fired = {
            s.name for e in _events(path) for s in engine.evaluate(e, dry_run=True).verdict.signals
        }
        if path.name in OPAQUE_WITHOUT_CLAMD:
            if "ARCHIVE_UNSCANNABLE" not in fired:
                opaque.append(path.name)
        elif not fired & EXECUTABLE_SIGNALS:
            missed.append((path.name, sorted(fired)))
    assert not missed
    assert not opaque


def test_clamd_down_is_a_signal_not_silence(tmp_path: Path) -> None:
    detector = ClamavDetector(ClamavOptions(socket=str(tmp_path / "nothing.sock"), timeout_s=0.5))
    found = detector.check(views_for(mail(attachment=("a.txt", b"hi"))), Context())
    assert [s.name for s in found] == ["CLAMAV_UNAVAILABLE"]


def test_not_configured_sends_nothing() -> None:
    found = ClamavDetector().check(views_for(mail(attachment=("a.txt", b"hi"))), Context())
    assert found == []


def test_scan_overlaps_the_other_detectors(clamd_socket: str) -> None:
    """begin() starts the scan; check() later only collects it."""
    detector = ClamavDetector(ClamavOptions(socket=clamd_socket))
    views = views_for(mail(attachment=("e.com", EICAR_TEXT)))
    detector.begin(views, Context())
    time.sleep(0.2)  # the other detectors' work
    started = time.perf_counter()
    found = detector.check(views, Context())
    assert [s.name for s in found] == ["CLAMAV_FOUND"]
    assert time.perf_counter() - started < 1.0  # answered while the others ran, not now
