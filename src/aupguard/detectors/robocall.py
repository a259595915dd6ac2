"""Robocall bursts: one caller ID placing calls faster than people talk, answered briefly."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from aupguard.detectors.base import Detector, Evidence, Finding, Observation, SignalSpec
from aupguard.detectors.context import Context
from aupguard.detectors.numbers import digits
from aupguard.detectors.rollup import actor, attribution, ramp
from aupguard.events.model import CallRecord, Channel, Direction
from aupguard.events.views import Views


class RobocallOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    window_s: int = Field(300, ge=60)
    calls_per_minute: float = Field(120.0, gt=0)  # from one caller ID
    short_answer_s: float = Field(30.0, ge=0)
    short_share: float = Field(0.7, gt=0, le=1)  # of answered calls
    min_answered: int = Field(20, ge=1)


class RobocallDetector(Detector):
    name = "robocall"
    description = "Robocall bursts: high call rates from one caller ID with brief answered calls."
    channels = frozenset({Channel.CALL})
    signals = (
        SignalSpec(
            "CALL_ROBOCALL_BURST",
            "One caller ID calls faster than agents can talk; answered calls are brief.",
        ),
    )
    Options = RobocallOptions

    def check(self, view: Views, ctx: Context) -> Sequence[Finding]:
        o = self.options
        assert isinstance(o, RobocallOptions)
        call = view.event.content
        assert isinstance(call, CallRecord)
        caller = digits(call.caller)
        if call.direction is not Direction.OUTBOUND or not caller:
            return ()
        who, now = actor(view.event, caller), view.event.time
        k_calls, k_ans, k_brief = f"rc:n:{who}", f"rc:a:{who}", f"rc:b:{who}"
        k_c = f"rc:c:{who}"
        found: list[Finding] = [Observation("count", k_calls, ttl_s=o.window_s)]
        if call.attestation == "C":
            found.append(Observation("count", k_c, ttl_s=o.window_s))
        brief = call.answered and call.duration_s < o.short_answer_s
        if call.answered:
            found.append(Observation("count", k_ans, ttl_s=o.window_s))
        if brief:
            found.append(Observation("count", k_brief, ttl_s=o.window_s))
        calls = ctx.state.count(k_calls, o.window_s, now) + 1
        rate = calls / (o.window_s / 60)
        if rate < o.calls_per_minute:
            return found
        answered = ctx.state.count(k_ans, o.window_s, now) + call.answered
        briefs = ctx.state.count(k_brief, o.window_s, now) + brief
        if answered < o.min_answered or briefs < o.short_share * answered:
            return found
        unverified = ctx.state.count(k_c, o.window_s, now) + (call.attestation == "C")
        detail = (
            f"{calls:.0f} calls from +{caller} in {o.window_s // 60} min ({rate:.0f}/min); "
            f"{briefs:.0f} of {answered:.0f} answered calls under {o.short_answer_s:.0f} s; "
            f"{unverified:.0f} with STIR/SHAKEN attestation C; {attribution(view.event)}"
        )
        ev = Evidence("call", f"+{caller}", detail=detail)
        found.append(self.signal("CALL_ROBOCALL_BURST", ramp(rate, o.calls_per_minute), ev))
        return found
