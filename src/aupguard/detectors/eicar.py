"""EICAR: the anti-virus test file, as an attachment, a bare file or a whole message text."""

from __future__ import annotations

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

# Split so this source file is not itself flagged by scanners.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
MAX_FILE = 128  # the EICAR definition: the string first, then at most whitespace, 128 bytes


def is_eicar(data: bytes) -> bool:
    """True for the EICAR test file as EICAR defines it (not a text that quotes it)."""
    return (
        len(data) <= MAX_FILE + 64
        and data.lstrip().startswith(EICAR)
        and (len(data.strip()) <= MAX_FILE and not data.strip()[len(EICAR) :].strip())
    )


class EicarDetector(Detector):
    name = "eicar"
    channels = MESSAGE_CHANNELS
    description = (
        "Finds the EICAR test file in attachments, archive members, files and message text."
    )
    signals = (SignalSpec("EICAR", "The EICAR test file is present.", deterministic=True),)

    def check(self, view: Views, ctx: Context) -> Sequence[Finding]:
        # view.files: the attachments and, opened within limits, every archive member.
        for att in view.files if view.attachments else ():
            if is_eicar(att.data):
                return [self.signal("EICAR", 1.0, Evidence(att.part, att.name or att.part, 0))]
        for tp in view.text_parts:
            if len(tp.text) <= MAX_FILE + 64 and is_eicar(tp.text.encode("utf-8", "replace")):
                ev = Evidence(tp.part, "EICAR test string", 0, len(EICAR))
                return [self.signal("EICAR", 1.0, ev)]
        return []
