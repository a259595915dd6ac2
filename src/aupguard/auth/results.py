"""All authentication results of one message, computed once and shared through `view.memo`."""

from __future__ import annotations

import time
from dataclasses import dataclass

from aupguard.auth.dkim import ArcResult, DkimResult, verify_arc, verify_dkim
from aupguard.auth.dmarc import DmarcResult, evaluate_dmarc
from aupguard.auth.resolver import Resolver
from aupguard.auth.spf import SpfResult, check_spf
from aupguard.events.email import EmailView

MEMO_KEY = "auth.results"  # the one key in Views.memo under which AuthResults are kept


@dataclass(frozen=True, slots=True)
class Envelope:
    """What the SMTP session said; `ip` None means SPF cannot be evaluated."""

    ip: str | None = None
    mail_from: str = ""  # "" is the null sender
    helo: str = ""


@dataclass(frozen=True, slots=True)
class AuthResults:
    spf: SpfResult | None  # None: no client IP to check
    dkim: tuple[DkimResult, ...]
    dmarc: DmarcResult
    arc: ArcResult
    elapsed_s: float = 0.0

    @property
    def aligned_pass(self) -> bool:
        """A DMARC-aligned SPF or DKIM pass (whether or not the domain publishes DMARC)."""
        return self.dmarc.spf_aligned or self.dmarc.dkim_aligned

    @property
    def temperror(self) -> bool:
        return (
            (self.spf is not None and self.spf.result == "temperror")
            or any(d.result == "temperror" for d in self.dkim)
            or self.dmarc.result == "temperror"
            or self.arc.result == "temperror"
        )


def authenticate(
    raw: bytes,
    from_domain: str,
    envelope: Envelope,
    resolver: Resolver,
    deadline: float | None = None,
    max_bytes: int | None = None,
) -> AuthResults:
    """SPF, DKIM, ARC, then DMARC over both; DNS by `deadline` (time.monotonic())."""
    started = time.perf_counter()
    spf = None
    if envelope.ip:
        spf = check_spf(envelope.ip, envelope.mail_from, envelope.helo, resolver, deadline)
    if max_bytes is not None and len(raw) > max_bytes:
        # Hashing a cut message would fail every signature; say it was not verified.
        skipped = f"not verified: message larger than {max_bytes} bytes"
        dkim: tuple[DkimResult, ...] = (DkimResult("", "", "", "neutral", skipped),)
        arc = ArcResult("none", 0, skipped)
    else:
        dkim = verify_dkim(raw, resolver, deadline)
        arc = verify_arc(raw, resolver, deadline)
    dmarc = evaluate_dmarc(from_domain, spf, dkim, resolver, deadline)
    return AuthResults(spf, dkim, dmarc, arc, time.perf_counter() - started)


def envelope_of(view: EmailView) -> Envelope:
    """The SMTP envelope of an e-mail event; Return-Path stands in for MAIL FROM in files."""
    content = view.content
    mail_from = content.mail_from
    if mail_from is None:
        mail_from = (view.header("Return-Path") or "").strip().strip("<>").strip()
    return Envelope(content.client_ip, mail_from, content.helo or "")


def results_for(view: EmailView, resolver: Resolver, budget_s: float = 0.5) -> AuthResults:
    """The message's AuthResults, computed by the first caller and reused by the others."""
    found = view.memo.get(MEMO_KEY)
    if isinstance(found, AuthResults):
        return found
    _, address = view.from_address
    results = authenticate(
        view.raw,
        address.rpartition("@")[2],
        envelope_of(view),
        resolver,
        time.monotonic() + budget_s,
        view.limits.max_bytes,
    )
    view.memo[MEMO_KEY] = results
    return results
