"""PDF attachments with JavaScript, launch actions or embedded files (pdfid's method, bounded).

Names are read the way pdfid reads them: `#xx` escapes decoded, so `/J#61vaScript`
counts as `/JavaScript`; object streams (where names hide compressed) are inflated up
to a cap. The scan is a linear regex pass over at most the first 32 MiB.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence

from aupguard.detectors.base import (
    MESSAGE_CHANNELS,
    Detector,
    Evidence,
    Finding,
    SignalSpec,
)
from aupguard.detectors.context import Context
from aupguard.events.views import Views

_NAME = re.compile(rb"/([A-Za-z0-9#_.-]{2,40})")
_HEX = re.compile(rb"#([0-9A-Fa-f]{2})")
_OBJSTM = re.compile(rb"/ObjStm[^>]{0,300}>>\s{0,4}stream\r?\n")
_MAX_SCAN = 32 * 1024 * 1024
_MAX_INFLATE = 8 * 1024 * 1024
_WANTED = {
    b"JavaScript": "PDF_JAVASCRIPT",
    b"JS": "PDF_JAVASCRIPT",
    b"Launch": "PDF_LAUNCH",
    b"EmbeddedFile": "PDF_EMBEDDED_FILE",
    b"EmbeddedFiles": "PDF_EMBEDDED_FILE",
}


def pdf_names(data: bytes) -> set[bytes]:
    """Every name in the file and in its object streams, #xx escapes decoded."""
    data = data[:_MAX_SCAN]
    chunks = [data]
    budget = _MAX_INFLATE
    for m in _OBJSTM.finditer(data):
        if budget <= 0:
            break
        d = zlib.decompressobj()
        try:
            out = d.decompress(data[m.end() : m.end() + budget], budget)
        except zlib.error:
            continue
        budget -= len(out)
        chunks.append(out)
    names: set[bytes] = set()
    for chunk in chunks:
        for m in _NAME.finditer(chunk):
            raw = m.group(1)
            names.add(_HEX.sub(lambda h: bytes([int(h.group(1), 16)]), raw) if b"#" in raw else raw)
    return names


class PdfDetector(Detector):
    name = "pdf"
    channels = MESSAGE_CHANNELS
    description = "Finds JavaScript, launch actions and embedded files in PDF attachments."
    signals = (
        SignalSpec("PDF_JAVASCRIPT", "A PDF carries JavaScript."),
        SignalSpec("PDF_LAUNCH", "A PDF has a launch action that starts a program or file."),
        SignalSpec("PDF_EMBEDDED_FILE", "A PDF carries an embedded file."),
    )

    def check(self, view: Views, ctx: Context) -> Sequence[Finding]:
        if not view.attachments:
            return []
        found: dict[str, Finding] = {}
        for att in view.files:
            if att.sniffed_type != "application/pdf":
                continue
            names = pdf_names(att.data)
            auto = b"OpenAction" in names or b"AA" in names
            for key, signal in _WANTED.items():
                if key in names and signal not in found:
                    detail = f"/{key.decode()}" + (" with an automatic action" if auto else "")
                    found[signal] = self.signal(
                        signal, 1.0, Evidence(att.part, att.name, detail=detail)
                    )
        return list(found.values())
