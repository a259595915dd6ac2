"""A sender's display name claims a brand its address does not belong to ("PayPal" <x@evil>)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from aupguard.detectors.base import Detector, Evidence, Finding, SignalSpec
from aupguard.detectors.context import Context
from aupguard.detectors.knownbrands import KnownBrand, known_brands
from aupguard.events.email import EmailView
from aupguard.events.model import Channel
from aupguard.events.urlnorm import split_host
from aupguard.events.views import Views


@cache
def _brand_names() -> tuple[re.Pattern[str], dict[str, KnownBrand]]:
    names = {n: b for b in known_brands() for n in b.names if len(n) >= 3}
    ordered = sorted(names, key=len, reverse=True)
    rx = re.compile(r"\b(" + "|".join(re.escape(n) for n in ordered) + r")\b", re.IGNORECASE)
    return rx, {n.lower(): b for n, b in names.items()}


def _owned(domain: str, domains: Sequence[str] | frozenset[str]) -> bool:
    return any(domain == d or domain.endswith("." + d) for d in domains)


class SenderBrandDetector(Detector):
    name = "sender_brand"
    description = "Finds a From display name that names a brand the sending address does not own."
    channels = frozenset({Channel.EMAIL})
    signals = (
        SignalSpec(
            "SENDER_BRAND_MISMATCH",
            "The From display name names a well-known or another tenant's brand; the address "
            "is not on that brand's domains.",
        ),
    )

    def check(self, view: Views, ctx: Context) -> Sequence[Finding]:
        if not isinstance(view, EmailView):
            return []
        display, address = view.from_address
        if not display or "@" not in address:
            return []
        domain = split_host(address.rsplit("@", 1)[1]).ascii
        tenant = view.event.tenant
        rx, brands = _brand_names()
        m = rx.search(display[:200])
        if m:
            brand = brands[m.group(1).lower()]
            if not _owned(domain, brand.domains):
                return [self._found(display, address, brand.brand, "a well-known brand")]
        directory = ctx.directory
        if directory is not None:
            folded = display.casefold()
            for name, owner in directory.all_brands().items():
                claimed = owner != tenant and len(name) >= 4 and name in folded
                if claimed and not _owned(domain, directory.domains_of(owner)):
                    return [self._found(display, address, name, "another tenant's brand")]
        return []

    def _found(self, display: str, address: str, brand: str, whose: str) -> Finding:
        at = address.rsplit("@", 1)[1]
        detail = f"From {display!r} names {brand} ({whose}); the address is at {at}"
        return self.signal(
            "SENDER_BRAND_MISMATCH", 1.0, Evidence("From", display[:80], detail=detail)
        )
