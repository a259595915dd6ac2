"""SMS pumping and toll fraud: premium destinations, one-time codes sprayed over number
ranges, and sudden surges of codes to a country the tenant hardly ever sends to.

Pumping abuses a tenant's sign-up or login form: a fraudster has one-time codes sent to
numbers whose operator shares the termination fee, usually consecutive numbers of one
range, often in a country the tenant has no customers in.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from aupguard.detectors.base import Detector, Evidence, Finding, Observation, SignalSpec
from aupguard.detectors.context import Context
from aupguard.detectors.numbers import block, country, digits, tariff
from aupguard.detectors.rollup import actor, attribution, ramp, ranges, span
from aupguard.events.model import Channel, Direction, MessageContent
from aupguard.events.views import Views

_OTP = re.compile(
    r"(?i)\b(code|otp|passcode|pin|verification|verify|one[- ]time|login|2fa)\b"
    r"[^\n]{0,40}?\b\d{4,8}\b|\b\d{4,8}\b[^\n]{0,40}?\b(code|otp|passcode|verification)\b"
)


class SmsPumpingOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    range_window_s: int = Field(3600, ge=60)
    numbers_per_block: int = Field(5, ge=2)  # one-time codes to one 100-number block
    surge_window_s: int = Field(3600, ge=60)
    baseline_window_s: int = Field(86_400, ge=3600)
    surge_messages: int = Field(20, ge=2)  # codes to one country within the surge window
    usual_share: float = Field(0.02, gt=0, lt=1)  # of the baseline's recipients: usual
    min_history: int = Field(500, ge=1)  # recipients in the baseline before surges count


def is_one_time_code(text: str) -> bool:
    return bool(_OTP.search(text[:500]))


class SmsPumpingDetector(Detector):
    name = "smspumping"
    description = "SMS pumping and toll fraud: premium numbers, code sprays, country surges."
    channels = frozenset({Channel.SMS})
    signals = (
        SignalSpec(
            "SMS_PREMIUM_DESTINATION",
            "Sent to a premium-rate or shared-cost number (numbering plan).",
            deterministic=True,
        ),
        SignalSpec(
            "SMS_OTP_RANGE_BURST",
            "One-time codes sent to many numbers of one 100-number block within an hour.",
        ),
        SignalSpec(
            "SMS_DESTINATION_SURGE",
            "A burst of one-time codes to a country that is not among the tenant's usual ones.",
        ),
    )
    Options = SmsPumpingOptions

    def check(self, view: Views, ctx: Context) -> Sequence[Finding]:
        o = self.options
        assert isinstance(o, SmsPumpingOptions)
        msg = view.event.content
        assert isinstance(msg, MessageContent)
        to = digits(msg.recipient or (view.event.recipients[:1] or ("",))[0])
        if view.event.direction is not Direction.OUTBOUND or not to:
            return ()
        found: list[Finding] = []
        kind = tariff(to)
        if kind:
            detail = f"+{to} is a {kind} number; {attribution(view.event)}"
            ev = Evidence("recipient", f"+{block(to)}xx", detail=detail)
            found.append(self.signal("SMS_PREMIUM_DESTINATION", 1.0, ev))
        if not is_one_time_code(msg.text):
            return found
        who, now, region = actor(view.event, "sms"), view.event.time, country(to)
        k_block, k_recent = f"sp:b:{who}|{block(to)}", f"sp:c:{who}|{region}"
        # The baseline counts recipients, not messages: a set answers in constant time
        # where a day of per-minute buckets would be summed on every message.
        k_region, k_all = f"sp:r:{who}|{region}", f"sp:a:{who}"
        found += [
            Observation("distinct", k_block, to[-2:], ttl_s=o.range_window_s),
            Observation("count", k_recent, ttl_s=o.surge_window_s),
            Observation("distinct", k_region, to, ttl_s=o.baseline_window_s),
            Observation("distinct", k_all, to, ttl_s=o.baseline_window_s),
        ]
        in_block = ctx.state.distinct(k_block, now)
        if in_block >= o.numbers_per_block:
            sample = ctx.state.members(k_block, now, 100)
            endings = {int(m) for m, _ in sample if m.isdigit()} | {int(to[-2:])}
            since = span(sample[0][1], now) if sample else "now"
            detail = (
                f"one-time codes to {in_block + 1} numbers of +{block(to)}xx {since}: "
                f"endings {ranges(endings)}; {attribution(view.event)}"
            )
            ev = Evidence("recipient", f"+{block(to)}xx", detail=detail)
            strength = ramp(in_block, o.numbers_per_block)
            found.append(self.signal("SMS_OTP_RANGE_BURST", strength, ev))
        recent = ctx.state.count(k_recent, o.surge_window_s, now) + 1
        if recent >= o.surge_messages:
            history = ctx.state.distinct(k_all, now)
            earlier = max(0.0, ctx.state.distinct(k_region, now) - recent)
            if history >= o.min_history and earlier <= o.usual_share * history:
                detail = (
                    f"{recent:.0f} one-time codes to {region} in {o.surge_window_s // 60} min; "
                    f"about {earlier:.0f} of {history} recipients in the last "
                    f"{o.baseline_window_s // 3600} h were there; {attribution(view.event)}"
                )
                ev = Evidence("recipient", region, detail=detail)
                strength = ramp(recent, o.surge_messages)
                found.append(self.signal("SMS_DESTINATION_SURGE", strength, ev))
        return found
