"""oletools samples: every one with macros, XLM, DDE, OLE objects or links is flagged."""

from __future__ import annotations

import zipfile
from pathlib import Path

from aupguard.detectors.context import Context
from aupguard.detectors.office import OfficeDetector
from aupguard.events.model import Channel, Event, FileContent
from aupguard.events.normalize import views_for
from tests.conftest import corpus

# Folders whose every file shows a risky feature; the negatives are named harmless-clean*.
RISKY = ("encrypted", "excel4-macros", "msodde", "oleform", "oleobj", "olevba", "ooxml", "rtfobj")
NOT_RISKY = {"RTF-Spec-1.7.rtf"}  # the RTF specification, a large clean document
PASSWORD = b"infected-test"  # oletools keeps its zipped samples encrypted with it


def _samples() -> list[tuple[str, bytes]]:
    root = corpus("oletools-testdata")
    out: list[tuple[str, bytes]] = []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.suffix == ".md" or path.parts[-2] in ("basic", "other"):
            continue
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as zf:
                for info in zf.infolist():
                    out.append(
                        (f"{path.relative_to(root)}!{info.filename}", zf.read(info, PASSWORD))
                    )
        else:
            out.append((str(path.relative_to(root)), path.read_bytes()))
    return out


def _fired(name: str, data: bytes) -> set[str]:
    event = Event(id=name, channel=Channel.FILE, content=FileContent(Path(name).name, data))
    return {s.name for s in OfficeDetector().check(views_for(event), Context())}


def test_risky_samples_are_flagged_and_clean_ones_are_not() -> None:
    missed, false_alarms, risky = [], [], 0
    for name, data in _samples():
        fired = _fired(name, data)
        clean = "harmless-clean" in name or Path(name).name in NOT_RISKY
        if clean:
            if fired:
                false_alarms.append((name, fired))
        else:
            risky += 1
            if not fired:
                missed.append(name)
    assert risky >= 90
    assert not missed
    assert not false_alarms


def test_each_feature_has_its_signal() -> None:
    root = corpus("oletools-testdata")
    expect = {
        "olevba/sample_with_vba.ppt": "OFFICE_AUTOEXEC_MACRO",
        "excel4-macros/excel4_sample_macro.xlsm": "OFFICE_XLM_MACRO",
        "msodde/dde-test.docx": "OFFICE_DDE",
        "oleobj/embedded-simple-2007.docx": "OFFICE_OLE_OBJECT",
        "oleobj/external_link/sample_with_external_link_to_doc.docx": "OFFICE_EXTERNAL_LINK",
        "encrypted/encrypted.docx": "OFFICE_ENCRYPTED",
        "oleobj/sample_with_lnk_file.doc": "OFFICE_EMBEDDED_EXECUTABLE",
    }
    for rel, signal in expect.items():
        assert signal in _fired(rel, (root / rel).read_bytes()), rel
