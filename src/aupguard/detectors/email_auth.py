"""E-mail authentication as signals: SPF, DKIM, DMARC alignment and policy, ARC."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from aupguard.auth.results import AuthResults, results_for
from aupguard.detectors.base import Detector, Evidence, Finding, SignalSpec
from aupguard.detectors.context import Context
from aupguard.events.email import EmailView
from aupguard.events.model import Channel, Direction
from aupguard.events.views import Views


class Options(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # Time all DNS look-ups of one message may take together; past it a look-up is TEMPERROR.
    budget_ms: int = Field(default=500, ge=1, le=30_000)
    outbound: bool = True  # also authenticate tenants' submissions, not only received mail


class EmailAuthDetector(Detector):
    name = "email_auth"
    version = "1"
    description = (
        "Authenticates mail with SPF, DKIM (RSA, Ed25519), DMARC and ARC through the "
        "context's resolver; does nothing when there is no resolver."
    )
    channels = frozenset({Channel.EMAIL})
    signals = (
        SignalSpec("SPF_FAIL", "SPF fail: the client is not allowed to send for the domain.", True),
        SignalSpec(
            "SPF_SOFTFAIL", "SPF softfail: the domain says the client is probably not its.", True
        ),
        SignalSpec("SPF_PERMERROR", "The domain's SPF record is broken (PERMERROR).", True),
        SignalSpec("DKIM_FAIL", "A DKIM signature did not verify (altered or forged).", True),
        SignalSpec("DKIM_PERMERROR", "A DKIM signature is malformed or its key is missing.", True),
        SignalSpec(
            "DMARC_FAIL", "DMARC fail: no SPF or DKIM pass aligned with the From domain.", True
        ),
        SignalSpec("DMARC_QUARANTINE", "DMARC fail where the domain asks for quarantine.", True),
        SignalSpec("DMARC_REJECT", "DMARC fail where the domain asks for reject.", True),
        SignalSpec("ARC_FAIL", "The ARC chain is broken or forged.", True),
        SignalSpec(
            "ARC_PASS", "The ARC chain validates (intermediaries vouch for the results).", True
        ),
        SignalSpec(
            "AUTH_NOT_ALIGNED",
            "No SPF or DKIM pass aligned with the From domain (whether or not it has DMARC).",
            True,
        ),
        SignalSpec("AUTH_TEMPERROR", "A DNS look-up missed its deadline: results are incomplete."),
    )
    Options = Options

    def check(self, view: Views, ctx: Context) -> Sequence[Finding]:
        if not isinstance(view, EmailView) or ctx.resolver is None:
            return []
        assert isinstance(self.options, Options)
        if view.event.direction is Direction.OUTBOUND and not self.options.outbound:
            return []
        results = results_for(view, ctx.resolver, self.options.budget_ms / 1000)
        return self._signals(results)

    def _signals(self, r: AuthResults) -> list[Finding]:
        found: list[Finding] = []

        def emit(name: str, part: str, excerpt: str, detail: str) -> None:
            found.append(self.signal(name, 1.0, Evidence(part, excerpt, detail=detail)))

        if r.spf is not None and r.spf.result in ("fail", "softfail", "permerror"):
            name = {"fail": "SPF_FAIL", "softfail": "SPF_SOFTFAIL"}.get(
                r.spf.result, "SPF_PERMERROR"
            )
            detail = f"spf={r.spf.result} for {r.spf.identity} {r.spf.domain}"
            emit(name, "envelope", r.spf.domain, (detail + f": {r.spf.explanation}")[:300])
        for d in r.dkim:
            if d.result in ("fail", "permerror"):
                name = "DKIM_FAIL" if d.result == "fail" else "DKIM_PERMERROR"
                detail = f"dkim={d.result} d={d.domain} s={d.selector}: {d.reason}"[:300]
                emit(name, "header:DKIM-Signature", d.domain, detail)
                break
        dm = r.dmarc
        if dm.result == "fail":
            detail = f"dmarc=fail (p={dm.policy}) header.from={dm.from_domain}"
            emit("DMARC_FAIL", "header:From", dm.from_domain, detail)
            if dm.policy in ("quarantine", "reject"):
                emit(f"DMARC_{dm.policy.upper()}", "header:From", dm.from_domain, detail)
        if r.arc.result == "fail":
            emit("ARC_FAIL", "header:ARC-Seal", "", f"arc=fail: {r.arc.reason}"[:300])
        elif r.arc.result == "pass":
            emit("ARC_PASS", "header:ARC-Seal", "", f"arc=pass over {r.arc.instances} set(s)")
        if r.temperror:
            emit("AUTH_TEMPERROR", "dns", "", "a DNS look-up missed its deadline (TEMPERROR)")
        elif not r.aligned_pass and dm.from_domain:
            detail = f"no SPF or DKIM pass aligned with {dm.from_domain}"
            emit("AUTH_NOT_ALIGNED", "header:From", dm.from_domain, detail)
        return found
