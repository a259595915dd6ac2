"""Attachment types from content, not names: executables, scripts, shortcuts, disk images."""

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
from aupguard.events.archives import OPAQUE_TYPES
from aupguard.events.views import Attachment, Views

_ISSUE_SIGNAL = {
    "bomb": "ARCHIVE_BOMB",
    "too_many": "ARCHIVE_BOMB",
    "too_deep": "ARCHIVE_TOO_DEEP",
    "encrypted": "ARCHIVE_ENCRYPTED",
    "unreadable": "ARCHIVE_UNSCANNABLE",
    "unsupported": "ARCHIVE_UNSCANNABLE",
}


class AttachmentsDetector(Detector):
    name = "attachments"
    channels = MESSAGE_CHANNELS
    description = (
        "Judges attachments and archive members by content: executables, scripts, shortcuts, "
        "disk images, double extensions, names that lie about the type, archive limits."
    )
    signals = (
        SignalSpec("ATTACHMENT_EXECUTABLE", "A program (PE, ELF, Mach-O, JAR, APK, MSI...)."),
        SignalSpec("ATTACHMENT_SCRIPT", "A script Windows or a shell runs (JS, VBS, HTA, PS1...)."),
        SignalSpec("ATTACHMENT_SHORTCUT", "A shortcut file (.lnk, .url...) that runs a target."),
        SignalSpec("ATTACHMENT_DISK_IMAGE", "A disk image (ISO, IMG, VHD) that hides its files."),
        SignalSpec(
            "ATTACHMENT_DOUBLE_EXTENSION",
            "A name that hides a risky type behind a harmless one (a.pdf.exe, RLO, padding).",
        ),
        SignalSpec(
            "ATTACHMENT_TYPE_MISMATCH", "The name or Content-Type promises a harmless type."
        ),
        SignalSpec("ARCHIVE_BOMB", "An archive inflates past the size, ratio or count limits."),
        SignalSpec("ARCHIVE_TOO_DEEP", "Archives nested deeper than the limit."),
        SignalSpec(
            "ARCHIVE_ENCRYPTED", "A password-protected archive: its content cannot be checked."
        ),
        SignalSpec(
            "ARCHIVE_UNSCANNABLE", "An archive that cannot be opened here (RAR, CAB, damaged)."
        ),
    )

    def check(self, view: Views, ctx: Context) -> Sequence[Finding]:
        if not view.attachments:
            return []
        found: dict[str, Finding] = {}
        expansion = view.expansion
        for att in expansion.files:
            for name, strength, detail in _judge(att):
                if name not in found:
                    found[name] = self.signal(name, strength, _evidence(att, detail))
        for issue in expansion.issues:
            name = _ISSUE_SIGNAL[issue.kind]
            if name not in found:
                ev = Evidence(issue.part, detail=issue.detail)
                found[name] = self.signal(name, 1.0, ev)
        return list(found.values())


def _evidence(att: Attachment, detail: str) -> Evidence:
    return Evidence(att.part, att.name[:120], detail=detail)


def _judge(att: Attachment) -> list[tuple[str, float, str]]:
    out: list[tuple[str, float, str]] = []
    exts = ft.extensions(att.name)
    last = exts[-1] if exts else ""
    kind = att.sniffed_type
    if kind in ft.EXECUTABLE_TYPES or last in ft.EXECUTABLE_EXTS:
        out.append(("ATTACHMENT_EXECUTABLE", 1.0, f"type {kind}, extension .{last}"))
    if kind == "text/x-shellscript" or last in ft.SCRIPT_EXTS:
        out.append(("ATTACHMENT_SCRIPT", 1.0, f"type {kind}, extension .{last}"))
    if kind == "application/x-ms-shortcut" or last in ft.SHORTCUT_EXTS:
        out.append(("ATTACHMENT_SHORTCUT", 1.0, f"type {kind}, extension .{last}"))
    if kind in ft.DISK_IMAGE_TYPES or last in ft.DISK_IMAGE_EXTS:
        out.append(("ATTACHMENT_DISK_IMAGE", 1.0, f"type {kind}, extension .{last}"))
    risky_last = bool(out) and last not in ("", *ft.DOCUMENT_EXTS)
    if ft.RLO in att.name:
        out.append(("ATTACHMENT_DOUBLE_EXTENSION", 1.0, "right-to-left override in the name"))
    elif risky_last and len(exts) >= 2 and exts[-2] in ft.DOCUMENT_EXTS:
        out.append(("ATTACHMENT_DOUBLE_EXTENSION", 1.0, f".{exts[-2]}.{last}"))
    elif risky_last and "     " in att.name:
        out.append(("ATTACHMENT_DOUBLE_EXTENSION", 0.8, "spaces pad the real extension away"))
    if att.data and not att.encrypted:
        family = ft.mismatch(att.name, att.declared_type, kind)
        if family is not None:
            detail = f"looks like {family.value} by name or Content-Type, content is {kind}"
            out.append(("ATTACHMENT_TYPE_MISMATCH", 1.0, detail))
    if kind in OPAQUE_TYPES:
        out.append(("ARCHIVE_UNSCANNABLE", 1.0, f"{kind} cannot be opened here"))
    if att.encrypted:
        out.append(("ARCHIVE_ENCRYPTED", 1.0, "member of an encrypted archive"))
    return out
