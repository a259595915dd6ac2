"""Single-flow scan probes: stealth flag combinations, and handshakes dropped with no data.

A connect or half-open (SYN) scan completes or half-completes the handshake and resets it
without sending a byte; nmap's host discovery does this to ports 80 and 443 at once. One
such connection is common enough (a cancelled connection race); several ports of one host
treated this way within minutes is a probe.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from aupguard.detectors.base import Detector, Evidence, Finding, Observation, SignalSpec
from aupguard.detectors.context import Context
from aupguard.detectors.rollup import (
    attribution,
    flow_actor,
    flow_facts,
    flow_outcome,
    ranges,
    span,
    split_service,
)
from aupguard.events.flowstate import Outcome, outcome, service, stealth_probe
from aupguard.events.model import Channel, Event, Flow
from aupguard.events.views import Views


class ProbeOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    window_s: int = Field(600, ge=60)
    ports_per_host: int = Field(2, ge=2)  # aborted ports on one host that make a probe


class ProbeDetector(Detector):
    name = "probes"
    description = "Scan probes visible in one flow: stealth TCP flags, aborted empty handshakes."
    channels = frozenset({Channel.FLOW})
    signals = (
        SignalSpec(
            "SCAN_STEALTH_PROBE",
            "A packet no normal stack sends (NULL, Xmas, SYN+FIN, FIN without a connection).",
            deterministic=True,
        ),
        SignalSpec(
            "SCAN_HANDSHAKE_PROBE",
            "Connect or SYN scan: handshakes to several ports of a host reset with no data.",
        ),
    )
    Options = ProbeOptions

    def reads(self, event: Event) -> Sequence[tuple[str, str]]:
        flow = event.content
        if not isinstance(flow, Flow) or outcome(flow) is not Outcome.ABORTED:
            return ()
        return [("distinct", f"pr:a:{flow_actor(event)}")]

    def check(self, view: Views, ctx: Context) -> Sequence[Finding]:
        flow = view.event.content
        assert isinstance(flow, Flow)
        found: list[Finding] = []
        probe = stealth_probe(flow)
        if probe:
            ev = Evidence(
                "flow",
                f"{flow.src} -> {service(flow)}",
                detail=f"{probe}; history {flow.flags or '-'}; {attribution(view.event)}",
            )
            found.append(self.signal("SCAN_STEALTH_PROBE", 1.0, ev))
        if flow_outcome(view) is Outcome.ABORTED:
            found.extend(self._aborted(view, ctx, flow))
        return found

    def _aborted(self, view: Views, ctx: Context, flow: Flow) -> list[Finding]:
        o = self.options
        assert isinstance(o, ProbeOptions)
        _, who, target = flow_facts(view)
        key = f"pr:a:{who}"
        found: list[Finding] = [Observation("distinct", key, target, ttl_s=o.window_s)]
        earlier = ctx.state.members(key, view.event.time, 500)
        ports = {flow.dst_port}
        first = view.event.time.timestamp()
        for member, ts in earlier:
            host, port = split_service(member)
            if host == flow.dst:
                ports.add(port)
                first = min(first, ts)
        if len(ports) >= o.ports_per_host:
            detail = (
                f"handshakes reset with no data on ports {ranges(ports)} of {flow.dst} "
                f"{span(first, view.event.time)}; {attribution(view.event)}"
            )
            ev = Evidence("flow", f"{flow.src} -> {service(flow)}", detail=detail)
            found.append(self.signal("SCAN_HANDSHAKE_PROBE", 1.0, ev))
        return found
