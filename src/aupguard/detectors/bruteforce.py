"""Brute force and credential stuffing in authentication events, per client and target."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from aupguard.detectors.base import Detector, Evidence, Finding, Observation, SignalSpec
from aupguard.detectors.context import Context
from aupguard.detectors.rollup import actor, attribution, ramp, span
from aupguard.events.model import AuthAttempt, Channel
from aupguard.events.views import Views
from aupguard.privacy import mask_pii


class BruteForceOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    window_s: int = Field(600, ge=60)
    account_failures: int = Field(10, ge=2)  # failures against one account: brute force
    distinct_accounts: int = Field(20, ge=2)  # accounts failed: stuffing or spraying
    failure_share: float = Field(0.8, gt=0, le=1)  # of the client's attempts on the target


class BruteForceDetector(Detector):
    name = "bruteforce"
    description = "Password brute force on one account; credential stuffing over many accounts."
    channels = frozenset({Channel.AUTH})
    signals = (
        SignalSpec("AUTH_BRUTE_FORCE", "Many failed logins to one account from one client."),
        SignalSpec(
            "AUTH_CREDENTIAL_STUFFING",
            "Failed logins to many distinct accounts of a target from one client.",
        ),
        SignalSpec(
            "AUTH_BRUTE_FORCE_SUCCESS",
            "A login succeeded right after a run of failures on the same account.",
        ),
    )
    Options = BruteForceOptions

    def check(self, view: Views, ctx: Context) -> Sequence[Finding]:
        o = self.options
        assert isinstance(o, BruteForceOptions)
        auth = view.event.content
        assert isinstance(auth, AuthAttempt)
        who, now = actor(view.event, auth.client), view.event.time
        target = auth.target[:200]
        account = f"{target}|{auth.username[:200]}"
        k_acct, k_users = f"bf:a:{who}|{account}", f"bf:u:{who}|{target}"
        k_tries, k_fails = f"bf:n:{who}|{target}", f"bf:f:{who}|{target}"
        found: list[Finding] = [Observation("count", k_tries, ttl_s=o.window_s)]
        failures = ctx.state.count(k_acct, o.window_s, now)
        shown = f"{mask_pii(auth.username)[:60]} at {target}"
        if auth.success:
            if failures >= o.account_failures:
                detail = f"success after {failures:.0f} failures; {attribution(view.event)}"
                ev = Evidence("auth", shown, detail=detail)
                found.append(self.signal("AUTH_BRUTE_FORCE_SUCCESS", 1.0, ev))
            return found
        failures += 1
        found += [
            Observation("count", k_acct, ttl_s=o.window_s),
            Observation("count", k_fails, ttl_s=o.window_s),
            Observation("distinct", k_users, auth.username[:200], ttl_s=o.window_s),
        ]
        if failures >= o.account_failures:
            detail = (
                f"{failures:.0f} failed {auth.method} logins from {auth.client} in "
                f"{o.window_s // 60} min; {attribution(view.event)}"
            )
            ev = Evidence("auth", shown, detail=detail)
            found.append(self.signal("AUTH_BRUTE_FORCE", ramp(failures, o.account_failures), ev))
        users = ctx.state.distinct(k_users, now)
        if users >= o.distinct_accounts:
            fails = ctx.state.count(k_fails, o.window_s, now) + 1
            tries = ctx.state.count(k_tries, o.window_s, now) + 1
            if fails >= o.failure_share * tries:
                sample = ctx.state.members(k_users, now, 1)
                since = span(sample[0][1], now) if sample else "now"
                detail = (
                    f"{users} accounts failed at {target}, {fails:.0f} of {tries:.0f} "
                    f"attempts {since}; {attribution(view.event)}"
                )
                ev = Evidence("auth", shown, detail=detail)
                strength = ramp(users, o.distinct_accounts)
                found.append(self.signal("AUTH_CREDENTIAL_STUFFING", strength, ev))
        return found
