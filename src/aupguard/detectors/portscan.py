"""Port and host scans from flows: vertical, horizontal and slow, by failed targets per actor.

Only failed or aborted flows count (no answer, rejected, or a handshake dropped with no
data). Short windows use fixed counts in the spirit of Zeek's scan policy (15 ports of a
host, 25 hosts, in 5 minutes). Over a day a benign client's scattered timeouts add up
too, so a slow scan also needs most of the actor's distinct targets that day to have
failed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field

from aupguard.detectors.base import Detector, Evidence, Finding, Observation, SignalSpec
from aupguard.detectors.context import Context
from aupguard.detectors.rollup import (
    attribution,
    flow_actor,
    flow_facts,
    listing,
    ramp,
    ranges,
    span,
    split_service,
)
from aupguard.events.flowstate import Outcome, service
from aupguard.events.model import Channel, Event, Flow
from aupguard.events.views import Views


class PortScanOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    window_s: int = Field(300, ge=60)
    vertical_targets: int = Field(15, ge=2)  # failed host:port targets, mostly on few hosts
    ports_per_host: float = Field(5.0, ge=1)  # average that makes a scan vertical
    horizontal_hosts: int = Field(25, ge=2)  # failed hosts
    slow_window_s: int = Field(86_400, ge=600)
    slow_targets: int = Field(30, ge=2)
    slow_failed_share: float = Field(0.5, gt=0, le=1)  # of all distinct targets that day
    sample: int = Field(30, ge=10, le=2000)  # members read to describe a scan


class PortScanDetector(Detector):
    name = "portscan"
    description = "Vertical, horizontal and slow port scans: failed targets per actor over time."
    channels = frozenset({Channel.FLOW})
    signals = (
        SignalSpec("PORT_SCAN_VERTICAL", "Many ports of the same host(s) probed and refused."),
        SignalSpec(
            "PORT_SCAN_HORIZONTAL", "The same port(s) probed on many hosts, mostly failing."
        ),
        SignalSpec("PORT_SCAN_SLOW", "Failed targets accumulate over hours at a low rate."),
    )
    Options = PortScanOptions

    def reads(self, event: Event) -> Sequence[tuple[str, str]]:
        who = flow_actor(event)
        return [("distinct", f"ps:{k}:{who}") for k in "athl"] if who else ()

    def check(self, view: Views, ctx: Context) -> Sequence[Finding]:
        flow = view.event.content
        assert isinstance(flow, Flow)
        o = self.options
        assert isinstance(o, PortScanOptions)
        result, who, target = flow_facts(view)
        if result is Outcome.UNKNOWN:
            return ()
        now = view.event.time
        # Every target contacted that day, working or not; added when new, not refreshed
        # on each flow (a read is cheaper than a write, and this runs for every flow).
        k_all = f"ps:a:{who}"
        found: list[Finding] = []
        if not ctx.state.seen(k_all, target, now):
            found.append(Observation("distinct", k_all, target, ttl_s=o.slow_window_s))
        if result is Outcome.ESTABLISHED:
            return found
        k_targets, k_hosts, k_slow = f"ps:t:{who}", f"ps:h:{who}", f"ps:l:{who}"
        found += [
            Observation("distinct", k_targets, target, ttl_s=o.window_s),
            Observation("distinct", k_hosts, flow.dst, ttl_s=o.window_s),
            Observation("distinct", k_slow, target, ttl_s=o.slow_window_s),
        ]
        # Counts are of earlier events: the state before this one is applied.
        targets = ctx.state.distinct(k_targets, now)
        hosts = ctx.state.distinct(k_hosts, now)
        vertical = targets >= o.vertical_targets and targets >= o.ports_per_host * max(1, hosts)
        horizontal = hosts >= o.horizontal_hosts
        if vertical or horizontal:
            summary = self._describe(ctx, k_targets, view, targets, hosts)
            if vertical:
                ev = Evidence("flow", summary[0], detail=summary[1])
                found.append(
                    self.signal("PORT_SCAN_VERTICAL", ramp(targets, o.vertical_targets), ev)
                )
            if horizontal:
                ev = Evidence("flow", summary[0], detail=summary[1])
                strength = ramp(hosts, o.horizontal_hosts)
                found.append(self.signal("PORT_SCAN_HORIZONTAL", strength, ev))
            return found
        slow = ctx.state.distinct(k_slow, now)
        if slow >= o.slow_targets and slow >= o.slow_failed_share * ctx.state.distinct(k_all, now):
            excerpt, detail = self._describe(ctx, k_slow, view, slow, None)
            ev = Evidence("flow", excerpt, detail=detail)
            found.append(self.signal("PORT_SCAN_SLOW", ramp(slow, o.slow_targets), ev))
        return found

    def _describe(
        self, ctx: Context, key: str, view: Views, targets: int, hosts: int | None
    ) -> tuple[str, str]:
        o = self.options
        assert isinstance(o, PortScanOptions)
        flow = view.event.content
        assert isinstance(flow, Flow)
        sample = ctx.state.members(key, view.event.time, o.sample)
        hosts_seen, targets_text = _summary(tuple(member for member, _ in sample))
        host_count = hosts if hosts is not None else hosts_seen
        since = span(sample[0][1], view.event.time) if sample else "now"
        shown = f" (sample of {len(sample)})" if len(sample) < targets else ""
        detail = (
            f"{targets} failed targets on {host_count} host(s) {since}{shown}: "
            f"{targets_text}; {attribution(view.event)}"
        )
        return f"{flow.src} -> {service(flow)}", detail


@lru_cache(maxsize=4096)
def _summary(members: tuple[str, ...]) -> tuple[int, str]:
    """(hosts, `hosts a, b (+n more); ports 1-1000`) of a sample of targets. Cached: the
    sample is the oldest targets, the same for every flow of an ongoing scan."""
    ports_by_host: dict[str, set[int]] = defaultdict(set)
    for member in members:
        host, port = split_service(member)
        ports_by_host[host].add(port)
    all_ports = {p for ports in ports_by_host.values() for p in ports}
    return len(ports_by_host), f"hosts {listing(ports_by_host)}; ports {ranges(all_ports)}"
