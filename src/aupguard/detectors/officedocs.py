"""What oletools finds in one Office or RTF file: macros, XLM, DDE, OLE objects, links.

msodde only reads files by path, so DDE analysis writes the bytes to a private temporary
file (mode 0600, deleted at once); everything else works on the bytes in memory.
"""

from __future__ import annotations

import base64
import logging
import os
import re
import tempfile
from dataclasses import dataclass, field

OFFICE_TYPES = frozenset(
    {
        "application/x-ole-storage",
        "application/vnd.openxmlformats-officedocument",
        "application/vnd.oasis.opendocument",
        "text/rtf",
        "application/xml",
    }
)
# Text formats that carry formulas or XLM: judged by name, since their bytes are plain text.
OFFICE_TEXT_EXTS = (".slk", ".csv", ".xml", ".iqy")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_BINDATA = re.compile(
    rb"<(?:w:binData|pkg:binaryData)[^>]{0,200}>([A-Za-z0-9+/=\s]{16,67108864}?)<"
)
# A field instruction naming DDE or DDEAUTO (the RTF form of the DDE attack).
_RTF_DDE = re.compile(rb"(?i)\\fldinst[^}]{0,400}?\bDDE(?:AUTO)?\b")
# An unescaped \\object or \\objdata control word (an escaped one is text about RTF).
_RTF_OBJECT = re.compile(rb"(?<!\\)\\obj(?:ect|data|emb|link|autlink)")
_MAX_PAYLOAD = 16 * 1024 * 1024
_LOGGERS = ("olevba", "oleobj", "msodde", "rtfobj", "crypto", "xls_parser", "ooxml", "ppt_parser")


@dataclass
class OfficeFindings:
    """Features found in one document (names of macros, DDE text, object names)."""

    macros: bool = False
    autoexec: list[str] = field(default_factory=list)
    xlm: bool = False
    dde: list[str] = field(default_factory=list)
    ole_objects: list[str] = field(default_factory=list)
    external_links: list[str] = field(default_factory=list)
    encrypted: bool = False
    payloads: list[tuple[str, bytes]] = field(default_factory=list)  # files in OLE packages
    errors: list[str] = field(default_factory=list)


def is_office(kind: str, name: str) -> bool:
    return kind in OFFICE_TYPES or (
        kind == "text/plain" and name.lower().endswith(OFFICE_TEXT_EXTS)
    )


def quiet_oletools() -> None:
    """oletools logs every oddity at warning level; a detector reports through signals."""
    for name in _LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)


def load_oletools() -> None:
    """Import oletools now (0.1 s with pyparsing and cryptography); `analyse` imports it on
    the first Office file otherwise."""
    import oletools.crypto
    import oletools.msodde
    import oletools.oleobj
    import oletools.olevba
    import oletools.ooxml
    import oletools.rtfobj  # noqa: F401


def analyse(name: str, data: bytes, kind: str) -> OfficeFindings:
    """Run olevba, oleobj, rtfobj and msodde on one file; failures land in `errors`."""
    quiet_oletools()
    found = OfficeFindings()
    for step in (_vba, _objects, _rtf, _flat_xml, _dde):
        try:
            step(name or "document", data, kind, found)
        except Exception as exc:  # oletools raises many types on damaged input
            found.errors.append(f"{step.__name__.strip('_')}: {type(exc).__name__}: {exc}"[:200])
    return found


def _vba(name: str, data: bytes, kind: str, found: OfficeFindings) -> None:
    from oletools.olevba import VBA_Parser

    if kind == "text/rtf":
        return
    _ooxml_xlm(data, kind, found)
    parser = VBA_Parser(name, data=data)
    try:
        found.encrypted = found.encrypted or bool(parser.detect_is_encrypted())
        found.macros = bool(parser.detect_vba_macros())
        found.xlm = found.xlm or bool(parser.detect_xlm_macros())
        if found.macros or found.xlm:
            for kw_type, keyword, _ in parser.analyze_macros() or ():
                if kw_type == "AutoExec" and keyword not in found.autoexec:
                    found.autoexec.append(keyword)
    finally:
        parser.close()


def _ooxml_xlm(data: bytes, kind: str, found: OfficeFindings) -> None:
    """XLM macro sheets in .xlsm/.xlsb (olevba finds them only in the binary formats)."""
    if kind != "application/vnd.openxmlformats-officedocument":
        return
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        if any(n.lower().startswith("xl/macrosheets/") for n in zf.namelist()):
            found.xlm = True


def _objects(name: str, data: bytes, kind: str, found: OfficeFindings) -> None:
    from oletools import oleobj
    from oletools.ooxml import XmlParser

    if kind not in (
        "application/x-ole-storage",
        "application/vnd.openxmlformats-officedocument",
        "application/vnd.oasis.opendocument",
    ):
        return
    parser = None
    if kind != "application/x-ole-storage":
        parser = XmlParser(oleobj.FakeFile(data))
        for rel_type, target in oleobj.find_external_relationships(parser):
            found.external_links.append(f"{rel_type}: {target}"[:200])
        for target in oleobj.find_customUI(parser):
            found.external_links.append(f"customUI onLoad: {target}"[:200])
        for _ in parser.iter_xml():  # find_ole needs the XML walked first
            pass
    for ole in oleobj.find_ole(name, data, parser):
        if ole is None:
            continue
        if parser is not None:  # an OLE file inside the zip: an embedded object
            found.ole_objects.append(_ole_label(ole))
        for path in ole.listdir():
            lowered = [p.lower() for p in path]
            if lowered[-1] == "\x01ole10native":
                found.ole_objects.append("/".join(path)[:120])
                _native_payload(oleobj, ole, path, found)
            elif lowered[0] == "objectpool" and len(path) > 1 and lowered[-1] == "\x01compobj":
                found.ole_objects.append("/".join(path)[:120])


def _native_payload(oleobj: object, ole: object, path: list[str], found: OfficeFindings) -> None:
    """The file inside an OLE package (Ole10Native): its name and bytes, size-capped."""
    stream = ole.openstream(path)  # type: ignore[attr-defined]
    try:
        raw = stream.read(_MAX_PAYLOAD)
    finally:
        stream.close()
    pkg = oleobj.OleNativeStream(raw)  # type: ignore[attr-defined]
    if not pkg.is_link and pkg.data:
        label = pkg.filename or ""
        found.payloads.append((str(label), bytes(pkg.data)))


def _ole_label(ole: object) -> str:
    try:
        return "/".join(next(iter(ole.listdir())))[:120]  # type: ignore[attr-defined]
    except Exception:
        return "embedded OLE object"


def _rtf(name: str, data: bytes, kind: str, found: OfficeFindings) -> None:
    from oletools.rtfobj import RtfObjParser

    if kind != "text/rtf":
        return
    for m in _RTF_DDE.finditer(data):
        found.dde.append(m.group(0)[:200].decode("latin-1"))
    if not _RTF_OBJECT.search(data):
        return  # rtfobj takes seconds on a large RTF; only run it where an object is
    parser = RtfObjParser(data)
    parser.parse()
    for obj in parser.objects:  # malformed objects count too: Word may still load them
        label = obj.filename or obj.class_name or "OLE object"
        found.ole_objects.append(str(label, "latin-1") if isinstance(label, bytes) else label)


def _flat_xml(name: str, data: bytes, kind: str, found: OfficeFindings) -> None:
    """Word/Excel 2003 XML and Flat OPC carry embedded objects as base64 binData."""
    if kind != "application/xml":
        return
    for m in _BINDATA.finditer(data):
        head = base64.b64decode(b"".join(m.group(1).split())[:64] + b"==", validate=False)
        if (
            head.startswith(_OLE_MAGIC)
            and b"vbaProject" not in data[max(0, m.start() - 300) : m.start()]
        ):
            found.ole_objects.append("binData OLE object")


def _dde(name: str, data: bytes, kind: str, found: OfficeFindings) -> None:
    from oletools import crypto, msodde

    if kind == "text/rtf":
        return  # _rtf looks for DDE fields with a linear regex (msodde's parser is slow)
    suffix = os.path.splitext(name)[1][:10] or ".bin"
    fd, path = tempfile.mkstemp(suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        if crypto.is_encrypted(path):
            # Trying default passwords costs ~0.5 s per file; encryption is a signal anyway.
            found.encrypted = True
            return
        text = msodde.process_file(path, field_filter_mode=msodde.FIELD_FILTER_DDE)
    finally:
        os.unlink(path)
    for line in (text or "").splitlines():
        if line.strip():
            found.dde.append(line.strip()[:200])
