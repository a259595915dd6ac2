"""Display names that claim a brand or another tenant, and routes faked to back the claim."""

from __future__ import annotations

import re
from collections.abc import Sequence

from aupguard.detectors.base import Detector, Evidence, Finding, SignalSpec, excerpt
from aupguard.detectors.context import Context
from aupguard.detectors.knownbrands import KnownBrand, brand_names, brand_owning
from aupguard.detectors.owners import domain_of
from aupguard.events.email import EmailView
from aupguard.events.model import Channel
from aupguard.events.received import hops_of
from aupguard.events.views import Views
from aupguard.phrases import PhraseHit, words

# Words that, next to a brand name, still make the whole name read as the brand itself
# ("PayPal Security Team"); any other word ("Chase Miller") makes the claim weak.
_SERVICE_TEXT = """
    a account accounts admin alert alerts and bank banking billing card cards care center
    centre client clients customer customers department dept desk do fraud from help helpdesk
    id info inc it llc login ltd mail member members message messages n na no noreply not
    notice notification notifications of official online payment payments plc prevention
    protection reply secure security service services support system team the uk us
    verification verify via"""
SERVICE_WORDS = frozenset(_SERVICE_TEXT.split())
_ADDRESS = re.compile(r"[\w.+-]{1,64}@([\w-]{1,63}(?:\.[\w-]{1,63}){1,10})")
WEAK = 0.4  # a brand word among other words: perhaps a person's name


class ImpersonationDetector(Detector):
    name = "impersonation"
    description = (
        "Finds From display names that claim a well-known brand or another tenant's brand "
        "while the address is not theirs, and Received lines that fake the brand's route."
    )
    channels = frozenset({Channel.EMAIL})
    signals = (
        SignalSpec(
            "DISPLAY_NAME_BRAND", "The display name claims a well-known brand not the sender's."
        ),
        SignalSpec("DISPLAY_NAME_TENANT_BRAND", "The display name claims another tenant's brand."),
        SignalSpec(
            "DISPLAY_NAME_ADDRESS", "The display name shows an address at a different domain.", True
        ),
        SignalSpec(
            "RECEIVED_BRAND_CLAIM",
            "A Received line claims the servers of the brand the display name impersonates.",
            True,
        ),
    )

    def check(self, view: Views, ctx: Context) -> Sequence[Finding]:
        if not isinstance(view, EmailView):
            return []
        display, address = view.from_address
        if not display:
            return []
        domain = domain_of(address)
        tenant, directory = view.event.tenant, ctx.directory
        own = {b.casefold() for b in directory.brands_of(tenant)} if directory and tenant else set()
        found: list[Finding] = []
        tokens = words(display)
        claimed: list[KnownBrand] = []
        best = 0.0
        for hit in brand_names().find_words(tokens):
            brand = hit.value
            if brand in claimed or brand_owning(domain) is brand or brand.brand.casefold() in own:
                continue
            claimed.append(brand)
            best = max(best, 1.0 if _brandish(tokens, hit) else WEAK)
        if claimed:
            names = ", ".join(b.brand for b in claimed)
            detail = f"display name claims {names}; the address is at {domain or 'no domain'}"
            ev = Evidence("header:From", excerpt(display, 0, len(display)), detail=detail)
            found.append(self.signal("DISPLAY_NAME_BRAND", best, ev))
            found.extend(self._route_claims(view, claimed))
        if directory is not None:
            for tenant_brand, owner in directory.brands_in(display):
                if owner != tenant and directory.owner_of_domain(domain) != owner:
                    detail = f"display name claims {tenant_brand}, a brand of tenant {owner}"
                    ev = Evidence("header:From", excerpt(display, 0, len(display)), detail=detail)
                    found.append(self.signal("DISPLAY_NAME_TENANT_BRAND", 1.0, ev))
                    break
        m = _ADDRESS.search(display)
        if m and domain and domain_of(m.group(1)) != domain:
            detail = f"display name shows an address at {m.group(1).lower()}, sent from {domain}"
            ev = Evidence("header:From", excerpt(display, m.start(), m.end()), detail=detail)
            found.append(self.signal("DISPLAY_NAME_ADDRESS", 1.0, ev))
        return found

    def _route_claims(self, view: EmailView, claimed: list[KnownBrand]) -> list[Finding]:
        for hop in hops_of(view):
            for host in hop.hosts:
                brand = brand_owning(host)
                if brand is not None and brand in claimed:
                    detail = f"Received line {hop.index + 1} claims {brand.brand}'s server {host}"
                    ev = Evidence(f"header:Received[{hop.index + 1}]", host, detail=detail)
                    return [self.signal("RECEIVED_BRAND_CLAIM", 1.0, ev)]
        return []


def _brandish(tokens: list[str], hit: PhraseHit[KnownBrand]) -> bool:
    """Every word outside the brand name is a service word (or another brand word)."""
    rest = tokens[: hit.start] + tokens[hit.end :]
    brand_words = {w for n in hit.value.names for w in words(n)}
    return all(t in SERVICE_WORDS or t in brand_words or t.isdigit() for t in rest)
