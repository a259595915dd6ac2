"""War-dialing: calls sweeping a number range, short or abandoned calls, unassigned numbers.

For an unanswered call `duration` is how long it rang before the caller gave up; a
war-dialer gives up after a few seconds and drops answered calls at once (it listens for a
modem, a fax or a voice), and a sweep hits many numbers that do not exist.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from aupguard.detectors.base import Detector, Evidence, Finding, Observation, SignalSpec
from aupguard.detectors.context import Context
from aupguard.detectors.numbers import block, digits
from aupguard.detectors.rollup import actor, attribution, ramp, ranges, span
from aupguard.events.model import CallRecord, Channel, Direction
from aupguard.events.views import Views

UNASSIGNED = frozenset({404, 410, 484, 604})  # SIP: no such number, gone, incomplete


class WarDialingOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    range_window_s: int = Field(3600, ge=60)
    numbers_per_block: int = Field(15, ge=3)  # distinct numbers of one 100-block
    window_s: int = Field(600, ge=60)
    min_calls: int = Field(30, ge=5)  # volume before shares mean anything
    short_ring_s: float = Field(6.0, ge=0)
    short_answer_s: float = Field(3.0, ge=0)
    short_share: float = Field(0.7, gt=0, le=1)
    unassigned_share: float = Field(0.3, gt=0, le=1)


class WarDialingDetector(Detector):
    name = "wardialing"
    description = "War-dialing in call records: range sweeps, abandoned calls, dead numbers."
    channels = frozenset({Channel.CALL})
    signals = (
        SignalSpec("CALL_RANGE_SWEEP", "Many numbers of one 100-number block dialled in an hour."),
        SignalSpec(
            "CALL_SHORT_ABANDONED",
            "Most calls are dropped within seconds, ringing or answered.",
        ),
        SignalSpec("CALL_UNASSIGNED_NUMBERS", "Many calls go to numbers that do not exist."),
    )
    Options = WarDialingOptions

    def check(self, view: Views, ctx: Context) -> Sequence[Finding]:
        o = self.options
        assert isinstance(o, WarDialingOptions)
        call = view.event.content
        assert isinstance(call, CallRecord)
        callee = digits(call.callee)
        if call.direction is not Direction.OUTBOUND or not callee:
            return ()
        who, now = actor(view.event, view.event.campaign or "-"), view.event.time
        k_block, k_calls = f"wd:b:{who}|{block(callee)}", f"wd:n:{who}"
        k_short, k_dead = f"wd:s:{who}", f"wd:u:{who}"
        found: list[Finding] = [
            Observation("distinct", k_block, callee[-2:], ttl_s=o.range_window_s),
            Observation("count", k_calls, ttl_s=o.window_s),
        ]
        in_block = ctx.state.distinct(k_block, now)
        if in_block >= o.numbers_per_block:
            sample = ctx.state.members(k_block, now, 100)
            endings = {int(m) for m, _ in sample if m.isdigit()} | {int(callee[-2:])}
            since = span(sample[0][1], now) if sample else "now"
            detail = (
                f"{in_block + 1} numbers of +{block(callee)}xx dialled {since}: endings "
                f"{ranges(endings)}; {attribution(view.event)}"
            )
            ev = Evidence("call", f"+{block(callee)}xx", detail=detail)
            found.append(self.signal("CALL_RANGE_SWEEP", ramp(in_block, o.numbers_per_block), ev))
        short = (not call.answered and call.duration_s < o.short_ring_s) or (
            call.answered and call.duration_s < o.short_answer_s
        )
        dead = call.sip_code in UNASSIGNED
        if short:
            found.append(Observation("count", k_short, ttl_s=o.window_s))
        if dead:
            found.append(Observation("count", k_dead, ttl_s=o.window_s))
        if not (short or dead):
            return found
        calls = ctx.state.count(k_calls, o.window_s, now) + 1
        if calls < o.min_calls:
            return found
        for flag, key, share, name, what in (
            (short, k_short, o.short_share, "CALL_SHORT_ABANDONED", "dropped within seconds"),
            (dead, k_dead, o.unassigned_share, "CALL_UNASSIGNED_NUMBERS", "to unassigned numbers"),
        ):
            if not flag:
                continue
            n = ctx.state.count(key, o.window_s, now) + 1
            if n >= share * calls:
                detail = (
                    f"{n:.0f} of {calls:.0f} calls in {o.window_s // 60} min {what}; "
                    f"{attribution(view.event)}"
                )
                ev = Evidence("call", f"+{block(callee)}xx", detail=detail)
                found.append(self.signal(name, ramp(n / calls, share), ev))
        return found
