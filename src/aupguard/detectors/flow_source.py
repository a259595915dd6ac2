"""Network flows whose source address the tenant (or its workload) was never assigned."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from functools import lru_cache

from aupguard.detectors.base import Detector, Evidence, Finding, SignalSpec
from aupguard.detectors.context import Context
from aupguard.events.model import Channel, Direction, Flow
from aupguard.events.views import Views

_BROADCAST = ipaddress.ip_address("255.255.255.255")


class FlowSourceDetector(Detector):
    name = "flow_source"
    description = (
        "Finds outbound flow records whose source address is outside the ranges assigned to "
        "the tenant or workload (spoofed packets), or could never be a real source."
    )
    channels = frozenset({Channel.FLOW})
    signals = (
        SignalSpec(
            "FLOW_SOURCE_NOT_ASSIGNED", "The source address is outside the tenant's ranges.", True
        ),
        SignalSpec("FLOW_SOURCE_OTHER_TENANT", "The source address is another tenant's.", True),
        SignalSpec(
            "FLOW_SOURCE_MARTIAN",
            "The source address is unspecified, loopback, multicast, broadcast or reserved.",
            True,
        ),
    )

    def check(self, view: Views, ctx: Context) -> Sequence[Finding]:
        event, flow = view.event, view.event.content
        if not isinstance(flow, Flow) or event.direction is not Direction.OUTBOUND:
            return []
        src, martian = _classify(flow.src)
        if src is None:
            ev = Evidence("flow.src", flow.src[:60], detail=f"not an IP address: {_where(flow)}")
            return [self.signal("FLOW_SOURCE_MARTIAN", 1.0, ev)]
        found: list[Finding] = []
        if martian:
            ev = Evidence("flow.src", src, detail=f"impossible source address: {_where(flow)}")
            found.append(self.signal("FLOW_SOURCE_MARTIAN", 1.0, ev))
        tenant, directory, workload = event.tenant, ctx.directory, event.workload
        if directory is None or tenant is None or not directory.has_ip_ranges(tenant, workload):
            return found
        if not directory.ip_in_ranges(tenant, src, workload):
            scope = f"workload {workload} of tenant {tenant}" if workload else f"tenant {tenant}"
            ev = Evidence("flow.src", src, detail=f"not assigned to {scope}: {_where(flow)}")
            found.append(self.signal("FLOW_SOURCE_NOT_ASSIGNED", 1.0, ev))
            owner = directory.owner_of_ip(src)
            if owner is not None and owner != tenant:
                ev = Evidence("flow.src", src, detail=f"assigned to tenant {owner}: {_where(flow)}")
                found.append(self.signal("FLOW_SOURCE_OTHER_TENANT", 1.0, ev))
        return found


def _where(flow: Flow) -> str:
    return f"{flow.src}:{flow.src_port} -> {flow.dst}:{flow.dst_port}/{flow.proto}"


@lru_cache(maxsize=65_536)
def _classify(raw: str) -> tuple[str | None, bool]:
    """(the address in canonical form or None if it is none, whether it is a martian),
    cached: a flow source repeats across thousands of records and parsing costs more
    than the rest of this detector."""
    try:
        src = ipaddress.ip_address(raw.strip())
    except ValueError:
        return None, False
    martian = (
        src.is_unspecified
        or src.is_loopback
        or src.is_multicast
        or src.is_reserved
        or src == _BROADCAST
    )
    return str(src), martian
