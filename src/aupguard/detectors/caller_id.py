"""Caller IDs (ANI) of outbound calls: registered to the tenant, well formed, attested."""

from __future__ import annotations

from collections.abc import Sequence

from aupguard.detectors.base import Detector, Evidence, Finding, SignalSpec
from aupguard.detectors.context import Context
from aupguard.events.model import CallRecord, Channel, Direction, TranscriptContent
from aupguard.events.views import Views


class CallerIdDetector(Detector):
    name = "caller_id"
    description = (
        "Checks that the caller ID of an outbound call is a well-formed number registered to "
        "the tenant, and reports weak STIR/SHAKEN attestation (B or C) on the call record."
    )
    channels = frozenset({Channel.CALL, Channel.VOICE})
    signals = (
        SignalSpec(
            "CALLER_ID_NOT_OWNED", "The caller ID is not a number registered to the tenant.", True
        ),
        SignalSpec(
            "CALLER_ID_OTHER_TENANT", "The caller ID is registered to another tenant.", True
        ),
        SignalSpec("CALLER_ID_INVALID", "The caller ID is not a possible E.164 number.", True),
        SignalSpec(
            "ATTESTATION_B", "STIR/SHAKEN partial attestation: the number was not verified.", True
        ),
        SignalSpec(
            "ATTESTATION_C", "STIR/SHAKEN gateway attestation: the origin is unknown.", True
        ),
    )

    def check(self, view: Views, ctx: Context) -> Sequence[Finding]:
        event, content = view.event, view.event.content
        attestation = ""
        if isinstance(content, CallRecord):
            caller = content.caller
            attestation = (content.attestation or "").strip().upper()
            outbound = content.direction is Direction.OUTBOUND
        elif isinstance(content, TranscriptContent):
            caller = content.caller or ""
            outbound = event.direction is Direction.OUTBOUND
        else:
            return []
        caller = caller.strip()
        if not outbound or not caller:
            return []
        found: list[Finding] = []
        digits = "".join(c for c in caller if c.isdigit())
        junk = [c for c in caller if not (c.isdigit() or c in "+-(). ")]
        if junk or not 7 <= len(digits) <= 15:
            detail = f"caller ID {caller!r} has {len(digits)} digits" + (
                " and letters" if junk else ""
            )
            found.append(
                self.signal("CALLER_ID_INVALID", 1.0, Evidence("caller", caller, detail=detail))
            )
        tenant, directory = event.tenant, ctx.directory
        if directory is not None and tenant is not None and digits:
            owner = directory.owner_of_number(caller)
            if owner != tenant:
                detail = f"caller ID {caller} is not registered to tenant {tenant}"
                found.append(
                    self.signal(
                        "CALLER_ID_NOT_OWNED", 1.0, Evidence("caller", caller, detail=detail)
                    )
                )
            if owner is not None and owner != tenant:
                detail = f"caller ID {caller} is registered to tenant {owner}"
                ev = Evidence("caller", caller, detail=detail)
                found.append(self.signal("CALLER_ID_OTHER_TENANT", 1.0, ev))
        if attestation in ("B", "C"):
            detail = f"STIR/SHAKEN attestation {attestation} for caller ID {caller}"
            ev = Evidence("attestation", attestation, detail=detail)
            found.append(self.signal(f"ATTESTATION_{attestation}", 1.0, ev))
        return found
