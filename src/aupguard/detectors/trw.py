"""Threshold Random Walk (Jung et al., 2004): a sequential test of first-contact outcomes.

For each actor (tenant, workload, source address) every *first contact* with a service
(`host:port`) is a Bernoulli trial: benign clients mostly reach what they ask for
(success probability theta0), scanners mostly do not (theta1). The log-likelihood ratio
walks up by ln((1-theta1)/(1-theta0)) on a failure and down by ln(theta1/theta0) on a
success; crossing ln(PD/PF) accepts "scanner". The walk is reflected at the benign bound
ln((1-PD)/(1-PF)) instead of stopping there, so a long benign history cannot bank credit
against a later scan; it is capped above at twice the scanner bound. Contacts are
services, not hosts, so vertical scans walk too.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field, model_validator

from aupguard.detectors.base import Detector, Evidence, Finding, Observation, SignalSpec
from aupguard.detectors.context import Context
from aupguard.detectors.rollup import attribution, flow_actor, flow_facts
from aupguard.events.flowstate import Outcome
from aupguard.events.model import Channel, Event, Flow
from aupguard.events.views import Views


class TrwOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    benign_success: float = Field(0.8, gt=0, lt=1)  # theta0
    scanner_success: float = Field(0.2, gt=0, lt=1)  # theta1
    detection: float = Field(0.99, gt=0, lt=1)  # PD
    false_alarm: float = Field(0.01, gt=0, lt=1)  # PF
    window_s: int = Field(3600, ge=60)  # how long a contact and the walk are remembered

    @model_validator(mode="after")
    def _ordered(self) -> TrwOptions:
        if self.scanner_success >= self.benign_success:
            raise ValueError("scanner_success must be below benign_success")
        if self.false_alarm >= self.detection:
            raise ValueError("false_alarm must be below detection")
        return self


class TrwDetector(Detector):
    name = "trw"
    description = "Sequential hypothesis test (Threshold Random Walk) on first-contact outcomes."
    channels = frozenset({Channel.FLOW})
    signals = (
        SignalSpec(
            "SCAN_TRW",
            "First contacts with new services fail far more often than a benign client's.",
        ),
    )
    Options = TrwOptions

    def __init__(self, options: BaseModel | None = None) -> None:
        super().__init__(options)
        o = self.options
        assert isinstance(o, TrwOptions)
        self.window = o.window_s
        self.up = math.log((1 - o.scanner_success) / (1 - o.benign_success))
        self.down = math.log(o.scanner_success / o.benign_success)
        self.upper = math.log(o.detection / o.false_alarm)
        self.lower = math.log((1 - o.detection) / (1 - o.false_alarm))

    def reads(self, event: Event) -> Sequence[tuple[str, str]]:
        who = flow_actor(event)
        return [("distinct", f"trw:c:{who}"), ("count", f"trw:w:{who}")] if who else ()

    def check(self, view: Views, ctx: Context) -> Sequence[Finding]:
        result, who, target = flow_facts(view)
        if result is Outcome.UNKNOWN:
            return ()
        flow = view.event.content
        assert isinstance(flow, Flow)
        contacts, walk_key = f"trw:c:{who}", f"trw:w:{who}"
        now = view.event.time
        if ctx.state.seen(contacts, target, now):
            # Only first contacts are trials. The contact is not refreshed: it is forgotten
            # a window after it was first made, and the next contact is a trial again,
            # which costs a read instead of a write for almost every benign flow.
            return ()
        found: list[Finding] = [Observation("distinct", contacts, target, ttl_s=self.window)]
        walk = ctx.state.count(walk_key, self.window, now)
        step = self.down if result is Outcome.ESTABLISHED else self.up
        # Reflected at the benign bound; capped at twice the scanner bound so that a
        # scanner's walk stays readable and it can recover once it behaves.
        after = min(2 * self.upper, max(self.lower, walk + step))
        if after != walk:
            found.append(Observation("count", walk_key, amount=after - walk, ttl_s=self.window))
        if after >= self.upper and result is not Outcome.ESTABLISHED:
            # Strength rises from 0.6 at the threshold to 1.0 at twice its log-odds.
            strength = 0.6 + 0.4 * min(1.0, (after - self.upper) / self.upper)
            detail = (
                f"likelihood ratio {math.exp(after):.0f}:1 for 'scanner' (threshold "
                f"{math.exp(self.upper):.0f}:1) after this first contact {result.value} "
                f"({flow.state or flow.flags or '?'}); {attribution(view.event)}"
            )
            ev = Evidence("flow", f"{flow.src} -> {target}", detail=detail)
            found.append(self.signal("SCAN_TRW", strength, ev))
        return found
