"""Web scanning by volume: one client's bursts of 4xx answers over many distinct paths."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from aupguard.detectors.base import Detector, Evidence, Finding, Observation, SignalSpec
from aupguard.detectors.base import excerpt as masked
from aupguard.detectors.context import Context
from aupguard.detectors.rollup import actor, attribution, ramp, span
from aupguard.events.model import Channel, HttpRequest
from aupguard.events.views import Views


class WebScanOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    window_s: int = Field(300, ge=60)
    distinct_paths: int = Field(20, ge=2)  # distinct paths answered 4xx
    error_share: float = Field(0.5, gt=0, le=1)  # of the client's requests in the window


class WebScanDetector(Detector):
    name = "webscan"
    description = "Bursts of 4xx over many distinct paths from one client (forced browsing)."
    channels = frozenset({Channel.HTTP})
    signals = (
        SignalSpec(
            "WEB_4XX_BURST",
            "Most of a client's recent requests got 4xx, over many distinct paths.",
        ),
    )
    Options = WebScanOptions

    def check(self, view: Views, ctx: Context) -> Sequence[Finding]:
        o = self.options
        assert isinstance(o, WebScanOptions)
        req = view.event.content
        assert isinstance(req, HttpRequest)
        who, now = actor(view.event, req.client), view.event.time
        k_all, k_err, k_paths = f"ws:n:{who}", f"ws:e:{who}", f"ws:p:{who}"
        found: list[Finding] = [Observation("count", k_all, ttl_s=o.window_s)]
        if not 400 <= req.status < 500:
            return found
        path = req.target.split("?", 1)[0][:300]
        found.append(Observation("count", k_err, ttl_s=o.window_s))
        found.append(Observation("distinct", k_paths, path, ttl_s=o.window_s))
        paths = ctx.state.distinct(k_paths, now)
        if paths < o.distinct_paths:
            return found
        errors = ctx.state.count(k_err, o.window_s, now) + 1
        total = ctx.state.count(k_all, o.window_s, now) + 1
        if errors < o.error_share * total:
            return found
        sample = ctx.state.members(k_paths, now, 5)
        since = span(sample[0][1], now) if sample else "now"
        examples = ", ".join(masked(p, 0, len(p), 0)[:60] for p, _ in sample)
        detail = (
            f"{paths} distinct paths answered 4xx, {errors:.0f} of {total:.0f} requests "
            f"{since}; e.g. {examples}; {attribution(view.event)}"
        )
        ev = Evidence("request", masked(path, 0, len(path), 0), detail=detail)
        found.append(self.signal("WEB_4XX_BURST", ramp(paths, o.distinct_paths), ev))
        return found
