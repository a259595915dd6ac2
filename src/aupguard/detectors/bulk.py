"""Bulk sending per tenant, identity and campaign, and the requirements bulk must meet.

Reads windows from the state snapshot and returns the observations that update them
(applied once per event id by the decision component). Bulk alone is allowed; the
ruleset's combos make bulk AND a missing requirement a violation naming it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from aupguard.detectors.base import Detector, Evidence, Finding, Observation, SignalSpec
from aupguard.detectors.bulk_requirements import missing_one_click, missing_opt_out_notice
from aupguard.detectors.context import Context
from aupguard.detectors.fingerprint import BANDS, band_keys
from aupguard.events.addresses import addresses
from aupguard.events.email import EmailView
from aupguard.events.model import Channel, Direction, EmailContent, MessageContent
from aupguard.events.views import Views

MAX_RECIPIENTS = 50  # recorded per event; one event to more is bulk by itself


class BulkOptions(BaseModel):
    """Counts that make sending 'bulk' (the ruleset's data, not the detector's)."""

    model_config = ConfigDict(extra="forbid")
    window_s: int = Field(default=3_600, ge=60, le=7 * 86_400)
    near_duplicate_recipients: int = Field(default=100, ge=2)
    campaign_recipients: int = Field(default=100, ge=2)
    identity_recipients: int = Field(default=500, ge=2)  # distinct per sender per window
    velocity_per_minute: int = Field(default=120, ge=1)  # per sender
    tenant_volume: int = Field(default=5_000, ge=1)  # per channel per window (informational)
    complaint_rate: float = Field(default=0.003, gt=0, le=1)  # large mailbox providers: 0.3 %
    complaint_min_sent: int = Field(default=1_000, ge=1)
    complaint_window_s: int = Field(default=86_400, ge=60, le=30 * 86_400)  # bounces too
    # Amazon SES reviews an account at a 5 % bounce rate (and asks senders to stay under 2 %).
    bounce_rate: float = Field(default=0.05, gt=0, le=1)
    bounce_min_sent: int = Field(default=1_000, ge=1)


class BulkDetector(Detector):
    name = "bulk"
    version = "1"
    description = (
        "Finds bulk sending (near-duplicates, campaigns, velocity, recipient diversity) and "
        "bulk that misses one-click unsubscribe, opt-out notices or a low complaint rate."
    )
    channels = frozenset({Channel.EMAIL, Channel.SMS, Channel.CHAT})
    signals = (
        SignalSpec("BULK_SENDING", "Bulk right now: any of the bulk criteria below is met."),
        SignalSpec("BULK_NEAR_DUPLICATE", "Near-identical content went to many recipients."),
        SignalSpec("BULK_CAMPAIGN", "The event's campaign reached many distinct recipients."),
        SignalSpec("BULK_RECIPIENT_DIVERSITY", "One sender reached many distinct recipients."),
        SignalSpec("BULK_VELOCITY", "One sender sends faster than the per-minute bulk rate."),
        SignalSpec("BULK_VOLUME", "The tenant's volume on this channel is high (informational)."),
        SignalSpec(
            "BULK_NO_ONE_CLICK_UNSUBSCRIBE",
            "Bulk e-mail without RFC 8058 one-click unsubscribe (https List-Unsubscribe + Post).",
            deterministic=True,
        ),
        SignalSpec(
            "BULK_NO_OPT_OUT_NOTICE",
            "Bulk SMS/chat text without opt-out instructions (e.g. 'Reply STOP').",
            deterministic=True,
        ),
        SignalSpec(
            "COMPLAINT_RATE_HIGH",
            "Complaints over sent in the window (state complaints:<tenant>, sent:<tenant>) "
            "are at or above the allowed rate.",
        ),
        SignalSpec(
            "BOUNCE_RATE_HIGH",
            "Hard bounces over sent in the window (state bounces:<tenant>, sent:<tenant>) "
            "are at or above the allowed rate: a bought or stale list.",
        ),
    )
    Options = BulkOptions

    def check(self, view: Views, ctx: Context) -> Sequence[Finding]:
        event = view.event
        if event.direction is Direction.INBOUND:
            return []
        opts = self.options
        assert isinstance(opts, BulkOptions)
        tenant = event.tenant or "-"
        ch = event.channel.value
        identity = _identity(view)
        recipients = _recipients(view)
        # A reply to a customer is conversation, even when agents answer with canned text:
        # it counts for volume and velocity, never as near-duplicate or campaign bulk.
        conversational = _is_reply(view)
        bands = () if conversational else band_keys(view.tenant_text)
        state, now, w = ctx.state, ctx.now, opts.window_s
        out: list[Finding] = []
        criteria: list[str] = []

        def fire(name: str, detail: str) -> None:
            criteria.append(name)
            out.append(self.signal(name, 1.0, Evidence("state", detail=detail)))

        nd_keys = [f"bulk:nd:{ch}:{tenant}:{i}:{b}" for i, b in enumerate(bands)]
        best = max((state.distinct(k, now) for k in nd_keys), default=0) + 1
        if bands and best >= opts.near_duplicate_recipients:
            fire(
                "BULK_NEAR_DUPLICATE",
                f"about {best} recipients got near-identical content "
                f"from tenant {tenant} in {w} s (bulk from {opts.near_duplicate_recipients})",
            )
        if event.campaign and not conversational:
            camp_key = f"bulk:camp:{tenant}:{event.campaign}"
            n = state.distinct(camp_key, now) + 1
            if n >= opts.campaign_recipients:
                fire(
                    "BULK_CAMPAIGN",
                    f"campaign {event.campaign!r} reached {n} recipients in "
                    f"{w} s (bulk from {opts.campaign_recipients})",
                )
        rcpt_key = f"bulk:rcpt:{ch}:{tenant}:{identity}"
        n = max(state.distinct(rcpt_key, now) + 1, len(recipients))
        if n >= opts.identity_recipients:
            fire(
                "BULK_RECIPIENT_DIVERSITY",
                f"sender {identity} reached {n} distinct recipients "
                f"in {w} s (bulk from {opts.identity_recipients})",
            )
        vel_key = f"bulk:vel:{ch}:{tenant}:{identity}"
        rate = state.count(vel_key, 60, now) + 1
        if rate >= opts.velocity_per_minute:
            fire(
                "BULK_VELOCITY",
                f"sender {identity} sent {rate:.0f} messages in the last "
                f"minute (bulk from {opts.velocity_per_minute})",
            )
        if criteria:
            out.append(
                self.signal("BULK_SENDING", 1.0, Evidence("state", detail=", ".join(criteria)))
            )
            out.extend(self._requirements(view))
        vol_key = f"bulk:vol:{ch}:{tenant}"
        volume = state.count(vol_key, w, now) + 1
        if volume >= opts.tenant_volume:
            out.append(
                self.signal(
                    "BULK_VOLUME",
                    1.0,
                    Evidence(
                        "state", detail=f"tenant {tenant} sent {volume:.0f} {ch} messages in {w} s"
                    ),
                )
            )
        out.extend(self._rate("COMPLAINT_RATE_HIGH", "complaints", tenant, ctx, opts))
        out.extend(self._rate("BOUNCE_RATE_HIGH", "bounces", tenant, ctx, opts))
        out.append(Observation("count", vol_key, ttl_s=w))
        out.append(Observation("count", vel_key, ttl_s=120))
        # One distinct-member observation per recipient and window key (positional: bulk
        # makes about 18 of them per e-mail).
        keys = [rcpt_key, *nd_keys]
        if event.campaign and not conversational:
            keys.append(f"bulk:camp:{tenant}:{event.campaign}")
        out.extend(Observation("distinct", k, r, 1.0, w) for r in recipients for k in keys)
        return out

    def _requirements(self, view: Views) -> list[Finding]:
        if isinstance(view, EmailView):
            missing = missing_one_click(view)
            if missing:
                return [
                    self.signal(
                        "BULK_NO_ONE_CLICK_UNSUBSCRIBE", 1.0, Evidence("headers", detail=missing)
                    )
                ]
            return []
        if missing_opt_out_notice(view.tenant_text):
            return [
                self.signal(
                    "BULK_NO_OPT_OUT_NOTICE",
                    1.0,
                    Evidence(
                        "text", detail="no opt-out instruction such as 'Reply STOP to opt out'"
                    ),
                )
            ]
        return []

    def _rate(
        self, signal: str, what: str, tenant: str, ctx: Context, opts: BulkOptions
    ) -> list[Finding]:
        """Complaints or hard bounces over sent (keys fed by the decision component and
        report intake, see enforce/counters.py), judged against the ruleset's rate."""
        w = opts.complaint_window_s
        bad = ctx.state.count(f"{what}:{tenant}", w, ctx.now)
        if bad <= 0:
            return []  # most tenants: one cheap read
        limit, minimum = (
            (opts.complaint_rate, opts.complaint_min_sent)
            if what == "complaints"
            else (opts.bounce_rate, opts.bounce_min_sent)
        )
        sent = ctx.state.count(f"sent:{tenant}", w, ctx.now)
        if sent < minimum or bad / sent < limit:
            return []
        detail = (
            f"{bad:.0f} {what} / {sent:.0f} sent = {bad / sent:.2%} in "
            f"{w} s (allowed under {limit:.2%})"
        )
        strength = min(1.0, bad / sent / limit / 2)
        return [self.signal(signal, strength, Evidence("state", detail=detail))]


def _is_reply(view: Views) -> bool:
    if isinstance(view, EmailView):
        return bool(view.header("In-Reply-To") or view.header("References"))
    return False


def _identity(view: Views) -> str:
    event = view.event
    if event.sender:
        return event.sender.lower()
    content = event.content
    if isinstance(content, EmailContent):
        if content.mail_from:
            return content.mail_from.lower()
        if isinstance(view, EmailView):
            return view.from_address[1] or "-"
    if isinstance(content, MessageContent) and content.sender_id:
        return content.sender_id.lower()
    return "-"


def _recipients(view: Views) -> list[str]:
    """Digests of the recipients (at most MAX_RECIPIENTS): state never holds addresses."""
    event = view.event
    found = list(event.recipients)
    content = event.content
    if not found and isinstance(content, EmailContent):
        found = list(content.rcpt_to)
        if not found and isinstance(view, EmailView):
            found = addresses(view.header_all("To") + view.header_all("Cc"), MAX_RECIPIENTS)
    if not found and isinstance(content, MessageContent) and content.recipient:
        found = [content.recipient]
    seen = dict.fromkeys(r.strip().lower() for r in found if r.strip())
    return [_digest(r) for r in list(seen)[:MAX_RECIPIENTS]]


def _digest(recipient: str) -> str:
    return hashlib.blake2b(recipient.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


__all__ = ["BANDS", "BulkDetector", "BulkOptions"]
