"""Received lines a tenant's client wrote into its own submission to fake a route."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from aupguard.detectors.base import Detector, Evidence, Finding, SignalSpec
from aupguard.detectors.context import Context, Directory
from aupguard.detectors.owners import foreign_owner, under
from aupguard.events.email import EmailView
from aupguard.events.model import Channel, Direction
from aupguard.events.received import ReceivedHop, hops_of
from aupguard.events.views import Views


class Options(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # Host names (and their subdomains) of the platform's own MTAs. The platform's hops sit
    # on top of a submission; every Received line below them came from the client.
    platform_hosts: list[str] = []


class ReceivedRouteDetector(Detector):
    name = "received_route"
    description = (
        "Finds Received lines in a tenant's submission that the platform did not add: "
        "injected hops, and hops that claim another tenant's or a brand's servers."
    )
    channels = frozenset({Channel.EMAIL})
    signals = (
        SignalSpec(
            "RECEIVED_INJECTED",
            "The submission carries Received lines neither the platform nor the tenant wrote.",
            True,
        ),
        SignalSpec(
            "RECEIVED_FOREIGN_CLAIM",
            "A submitted Received line claims another tenant's or a well-known brand's server.",
            True,
        ),
    )
    Options = Options

    def check(self, view: Views, ctx: Context) -> Sequence[Finding]:
        event = view.event
        tenant, directory = event.tenant, ctx.directory
        if not isinstance(view, EmailView) or tenant is None:
            return []
        if event.direction is not Direction.OUTBOUND:
            return []
        assert isinstance(self.options, Options)
        platform = tuple(h.lower().rstrip(".") for h in self.options.platform_hosts)
        hops = hops_of(view)
        start = 0
        # The platform's own hops sit on top; the lowest of them received from the client,
        # so every line below it was written by the client, whatever server it names.
        while start < len(hops) and platform and under(hops[start].by_host, platform):
            top = hops[start]
            start += 1
            if not any(under(h, platform) for h in (top.from_host, top.from_rdns) if h):
                break
        found: list[Finding] = []
        injected: list[ReceivedHop] = []
        for hop in hops[start:]:
            claim = next(
                (
                    (host, other)
                    for host in hop.hosts
                    if (other := foreign_owner(directory, tenant, host, relays=False))
                ),
                None,
            )
            if claim is not None:
                host, other = claim
                detail = f"Received line {hop.index + 1} claims {other}'s server {host}"
                ev = Evidence(f"header:Received[{hop.index + 1}]", host, detail=detail)
                found.append(self.signal("RECEIVED_FOREIGN_CLAIM", 1.0, ev))
            elif not _tenant_hop(hop, directory, tenant):
                injected.append(hop)
        if injected:
            evidence = tuple(
                Evidence(
                    f"header:Received[{h.index + 1}]",
                    h.by_host or h.from_host,
                    detail=f"not added by the platform: from {h.from_host or '?'} "
                    f"by {h.by_host or '?'}",
                )
                for h in injected[:3]
            )
            found.append(self.signal("RECEIVED_INJECTED", 1.0, *evidence))
        return found


def _tenant_hop(hop: ReceivedHop, directory: Directory | None, tenant: str) -> bool:
    """A hop through the tenant's own servers (its mail server relaying to the platform)."""
    if directory is None:
        return False
    if hop.from_ip and directory.ip_in_ranges(tenant, hop.from_ip):
        return True
    return bool(hop.by_host) and directory.owner_of_domain(hop.by_host) == tenant
