"""Counting caps: how many reports one reporter or one network may count in a window.

A pure policy: the caller (the store) counts what was already counted for the same tenant
and clause in the window and asks whether one more may count. Reports over a cap are still
kept and triaged; they only stop adding weight, so a flood from one place cannot push a
tenant up the ladder.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from aupguard.reports.authenticate import Enrollment
from aupguard.reports.model import Report


class CountingCaps(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    window_hours: int = Field(default=24, ge=1, le=24 * 90)
    per_reporter: int = Field(default=5, ge=1)  # unauthenticated reporters (by address)
    per_network: int = Field(default=10, ge=1)  # unauthenticated sources (by /24 or /48)


@dataclass(frozen=True, slots=True)
class CapCounts:
    """Reports already counted in the window, for the same tenant and clause."""

    reporter: int
    network: int


@dataclass(frozen=True, slots=True)
class CapDecision:
    counts: bool
    reason: str | None = None


def reporter_key(report: Report) -> str:
    """Who a cap is counted against: the enrolled provider, else the reporter, else the
    network, else anonymous (all anonymous reports share one budget)."""
    if report.auth.provider and report.auth.aligned:
        return f"provider:{report.auth.provider}"
    if report.reporter.address:
        return f"address:{report.reporter.address.lower()}"
    network = report.source_network
    return f"network:{network}" if network else "anonymous"


def may_count(
    report: Report, counts: CapCounts, caps: CountingCaps, enrollment: Enrollment | None = None
) -> CapDecision:
    """Whether one more report from this reporter and network may count toward escalation."""
    who = reporter_key(report)
    if who.startswith("provider:"):
        # DKIM already proves where an enrolled report comes from; its networks are shared
        # by millions of complainants, so only the provider's own cap (if any) applies.
        provider = next(
            (
                p
                for p in (enrollment.providers if enrollment else [])
                if p.name == report.auth.provider
            ),
            None,
        )
        cap = provider.max_counted_per_window if provider else None
        if cap is not None and counts.reporter >= cap:
            return CapDecision(False, f"{who} already counted {counts.reporter} (cap {cap})")
        return CapDecision(True)
    if counts.reporter >= caps.per_reporter:
        return CapDecision(
            False,
            f"{who} already counted {counts.reporter} in {caps.window_hours} h "
            f"(cap {caps.per_reporter})",
        )
    if report.source_network and counts.network >= caps.per_network:
        return CapDecision(
            False,
            f"network {report.source_network} already counted {counts.network} in "
            f"{caps.window_hours} h (cap {caps.per_network})",
        )
    return CapDecision(True)
