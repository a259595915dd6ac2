"""GTUBE: the generic test for unsolicited bulk e-mail, which must always count as spam."""

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

GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*" + "GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"


class GtubeDetector(Detector):
    name = "gtube"
    channels = MESSAGE_CHANNELS
    description = "Finds the GTUBE spam test string in any text or attachment."
    signals = (SignalSpec("GTUBE", "The GTUBE spam test string is present.", deterministic=True),)

    def check(self, view: Views, ctx: Context) -> Sequence[Finding]:
        for tp in view.text_parts:
            if not tp.role.is_tenant_speech:
                continue  # a customer quoting GTUBE is not the tenant sending spam
            pos = tp.text.find(GTUBE)
            if pos >= 0:
                ev = Evidence(tp.part, "GTUBE test string", pos, pos + len(GTUBE))
                return [self.signal("GTUBE", 1.0, ev)]
        needle = GTUBE.encode("ascii")
        for att in view.attachments:
            if needle in att.data:
                return [self.signal("GTUBE", 1.0, Evidence(att.part, att.name))]
        return []
