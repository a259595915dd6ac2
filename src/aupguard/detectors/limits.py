"""Parse limits and malformed structure: what the normalizer had to cut or could not read."""

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
from aupguard.events.email import EmailView
from aupguard.events.views import Views


class LimitsDetector(Detector):
    name = "limits"
    channels = MESSAGE_CHANNELS
    description = "Reports hard parse limits that were hit and truncated or malformed MIME."
    signals = (
        SignalSpec("PARSE_LIMIT_EXCEEDED", "A size, depth, part or header limit cut parsing."),
        SignalSpec("MIME_TRUNCATED", "The MIME structure ends early (missing boundary, padding)."),
    )

    def check(self, view: Views, ctx: Context) -> Sequence[Finding]:
        found: list[Finding] = []
        if isinstance(view, EmailView) and view.is_truncated:
            detail = ", ".join(sorted(set(view.defects)))
            found.append(self.signal("MIME_TRUNCATED", 1.0, Evidence("message", detail=detail)))
        # Reading every view first makes the limit list complete.
        _ = view.text_parts, view.attachments, view.urls
        if view.limit_hits:
            ev = tuple(
                Evidence(h.part or "message", detail=f"{h.limit}: {h.detail}")
                for h in view.limit_hits[:10]
            )
            found.append(self.signal("PARSE_LIMIT_EXCEEDED", 1.0, *ev))
        return found
