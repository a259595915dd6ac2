"""Office and RTF attachments: VBA and XLM macros, DDE, OLE objects, external links (oletools)."""

from __future__ import annotations

from collections.abc import Sequence

from aupguard.detectors import filetypes as ft
from aupguard.detectors.base import (
    MESSAGE_CHANNELS,
    Detector,
    Evidence,
    Finding,
    SignalSpec,
)
from aupguard.detectors.context import Context
from aupguard.detectors.officedocs import analyse, is_office, load_oletools
from aupguard.events.sniff import sniff_type
from aupguard.events.views import Views

_RUNNABLE_EXTS = ft.EXECUTABLE_EXTS | ft.SCRIPT_EXTS | ft.SHORTCUT_EXTS


def _runs(label: str, payload: bytes) -> bool:
    exts = ft.extensions(label)
    kind = sniff_type(payload[:0x9000])
    return (
        bool(exts and exts[-1] in _RUNNABLE_EXTS)
        or kind in ft.EXECUTABLE_TYPES
        or (kind == "application/x-ms-shortcut")
    )


class OfficeDetector(Detector):
    name = "office"
    channels = MESSAGE_CHANNELS
    description = "Finds macros, XLM, DDE, embedded OLE objects and external links in documents."
    signals = (
        SignalSpec("OFFICE_MACRO", "A document carries VBA macros."),
        SignalSpec("OFFICE_AUTOEXEC_MACRO", "Macros that run on open or close (AutoOpen...)."),
        SignalSpec("OFFICE_XLM_MACRO", "An Excel 4.0 (XLM) macro sheet."),
        SignalSpec("OFFICE_DDE", "A DDE or DDEAUTO field that can start a program."),
        SignalSpec("OFFICE_OLE_OBJECT", "An embedded OLE object or package (file, shortcut)."),
        SignalSpec("OFFICE_EXTERNAL_LINK", "A link to an external template, object or frame."),
        SignalSpec("OFFICE_ENCRYPTED", "An encrypted document: its content cannot be checked."),
        SignalSpec(
            "OFFICE_EMBEDDED_EXECUTABLE",
            "An OLE package in a document holds a program, script or shortcut.",
        ),
    )

    def load(self) -> None:
        load_oletools()

    def check(self, view: Views, ctx: Context) -> Sequence[Finding]:
        if not view.attachments:
            return []
        found: dict[str, Finding] = {}

        def add(name: str, part: str, label: str, detail: str) -> None:
            if name not in found:
                found[name] = self.signal(name, 1.0, Evidence(part, label[:120], detail=detail))

        for att in view.files:
            if not att.data or not is_office(att.sniffed_type, att.name):
                continue
            r = analyse(att.name, att.data, att.sniffed_type)
            if r.macros:
                add("OFFICE_MACRO", att.part, att.name, "VBA project present")
            if r.autoexec:
                add("OFFICE_AUTOEXEC_MACRO", att.part, att.name, ", ".join(r.autoexec[:5]))
            if r.xlm:
                add("OFFICE_XLM_MACRO", att.part, att.name, "Excel 4.0 macro sheet")
            if r.dde:
                add("OFFICE_DDE", att.part, att.name, r.dde[0])
            if r.ole_objects:
                add("OFFICE_OLE_OBJECT", att.part, att.name, ", ".join(r.ole_objects[:3]))
            if r.external_links:
                add("OFFICE_EXTERNAL_LINK", att.part, att.name, r.external_links[0])
            if r.encrypted:
                add("OFFICE_ENCRYPTED", att.part, att.name, "encrypted document")
            for label, payload in r.payloads:
                if _runs(label, payload):
                    add("OFFICE_EMBEDDED_EXECUTABLE", att.part, att.name, f"package {label}")
        return list(found.values())
