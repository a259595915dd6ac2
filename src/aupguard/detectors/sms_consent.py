"""SMS consent: opt-out and opt-in keywords become marks; sends to opted-out numbers are caught.

Inbound messages (direction inbound, from the recipient to the tenant's number) with an
opt-out keyword return a `mark` observation on `consent:<scope>:<recipient>`; opt-in
keywords return `unmark`. Outbound messages read those marks. Scope is the sending number
(`num:<E.164>`) or the tenant (`tenant:<id>`); STOPALL and messages whose number is unknown
use the tenant scope. Quiet hours use the recipient's time zone from the number's prefix.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from aupguard.detectors.base import Detector, Evidence, Finding, Observation, SignalSpec
from aupguard.detectors.context import Context
from aupguard.detectors.phone import local_time, normalise_number
from aupguard.events.model import Channel, Direction, MessageContent
from aupguard.events.views import Views

OPT_OUT = [
    "STOP",
    "STOPALL",
    "UNSUBSCRIBE",
    "CANCEL",
    "END",
    "QUIT",
    "OPTOUT",
    "REVOKE",
    "ARRET",
    "ARRETER",
    "BAJA",
    "ALTO",
    "PARAR",
    "CANCELAR",
    "STOPP",
    "ABMELDEN",
]
OPT_IN = ["START", "UNSTOP", "SUBSCRIBE"]
HELP = ["HELP", "INFO", "AIDE", "AYUDA", "HILFE"]


_ONE_TIME_CODE = re.compile(
    r"(?i)\b(?:code|otp|passcode|pin|verification)\b[^0-9\n]{0,30}\b\d{4,8}\b"
    r"|\b\d{4,8}\b[^0-9\n]{0,30}\b(?:is your|code)\b"
)


class SmsConsentOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    scope: Literal["number", "tenant"] = "number"
    opt_out: list[str] = Field(default_factory=lambda: list(OPT_OUT))
    opt_out_all: list[str] = Field(
        default_factory=lambda: ["STOPALL"]
    )  # every number of the tenant
    opt_in: list[str] = Field(default_factory=lambda: list(OPT_IN))
    help: list[str] = Field(default_factory=lambda: list(HELP))
    quiet_start_hour: int | None = Field(default=21, ge=0, le=23)  # None: no quiet hours
    quiet_end_hour: int = Field(default=8, ge=0, le=23)
    quiet_exempt_workloads: list[str] = Field(default_factory=lambda: ["otp", "transactional"])
    default_region: str | None = None  # ISO country for numbers written without +country


class SmsConsentDetector(Detector):
    name = "sms_consent"
    version = "1"
    description = (
        "Keeps SMS opt-outs and opt-ins, answers HELP, and catches sends nobody consents to."
    )
    channels = frozenset({Channel.SMS, Channel.CHAT})
    signals = (
        SignalSpec(
            "OPTED_OUT_RECIPIENT",
            "The recipient opted out of this sender (STOP and the like).",
            deterministic=True,
        ),
        SignalSpec(
            "SMS_OPT_OUT_RECEIVED",
            "An inbound opt-out keyword: confirm once, then send nothing.",
            deterministic=True,
        ),
        SignalSpec(
            "SMS_OPT_IN_RECEIVED",
            "An inbound opt-in keyword (START, UNSTOP): sending may resume.",
            deterministic=True,
        ),
        SignalSpec(
            "SMS_HELP_REQUESTED",
            "An inbound HELP keyword: the gateway answers with the program's help text.",
            deterministic=True,
        ),
        SignalSpec(
            "SMS_QUIET_HOURS",
            "Sent inside quiet hours in the recipient's local time.",
            deterministic=True,
        ),
    )
    Options = SmsConsentOptions

    def __init__(self, options: BaseModel | None = None) -> None:
        super().__init__(options)
        opts = self.options
        assert isinstance(opts, SmsConsentOptions)
        self._out = {_fold(k) for k in opts.opt_out + opts.opt_out_all}
        self._out_all = {_fold(k) for k in opts.opt_out_all}
        self._in = {_fold(k) for k in opts.opt_in}
        self._help = {_fold(k) for k in opts.help}

    def check(self, view: Views, ctx: Context) -> Sequence[Finding]:
        content = view.event.content
        if not isinstance(content, MessageContent):
            return []
        if view.event.direction is Direction.INBOUND:
            return self._inbound(view, content)
        return self._outbound(view, content, ctx)

    def _keys(self, view: Views, number: str | None, recipient: str) -> list[str]:
        opts = self.options
        assert isinstance(opts, SmsConsentOptions)
        keys = [f"consent:tenant:{view.event.tenant or '-'}:{recipient}"]
        if opts.scope == "number" and number:
            keys.insert(0, f"consent:num:{number}:{recipient}")
        return keys

    def _inbound(self, view: Views, content: MessageContent) -> list[Finding]:
        opts = self.options
        assert isinstance(opts, SmsConsentOptions)
        word = _fold(content.text)
        customer = normalise_number(view.event.sender or content.sender_id, opts.default_region)
        number = normalise_number(
            content.recipient or next(iter(view.event.recipients), None), opts.default_region
        )
        if not word or not customer:
            return []
        ev = Evidence(
            "text", word[:20], 0, len(content.text), f"from {customer} to {number or '?'}"
        )
        keys = self._keys(view, number, customer)
        when = view.event.time.isoformat()
        if word in self._out:
            # number scope unless STOPALL or the number is unknown: then the whole tenant
            scoped = keys[-1:] if word in self._out_all or len(keys) == 1 else keys[:1]
            member = f"{word} {when} {view.event.id}"
            marks = [Observation("mark", k, member) for k in scoped]
            return [self.signal("SMS_OPT_OUT_RECEIVED", 1.0, ev), *marks]
        if word in self._in:
            return [
                self.signal("SMS_OPT_IN_RECEIVED", 1.0, ev),
                *(Observation("unmark", k) for k in keys),
            ]
        if word in self._help:
            return [self.signal("SMS_HELP_REQUESTED", 1.0, ev)]
        return []

    def _outbound(self, view: Views, content: MessageContent, ctx: Context) -> list[Finding]:
        opts = self.options
        assert isinstance(opts, SmsConsentOptions)
        number = normalise_number(content.sender_id or view.event.sender, opts.default_region)
        raw = list(view.event.recipients) or ([content.recipient] if content.recipient else [])
        out: list[Finding] = []
        for r in raw[:50]:
            recipient = normalise_number(r, opts.default_region)
            if not recipient:
                continue
            for key in self._keys(view, number, recipient):
                mark = ctx.state.marked(key)
                if mark:
                    word, _, rest = mark.partition(" ")
                    scope = key.split(":")[1]
                    detail = f"{recipient} sent {word} at {rest.split(' ')[0]} (scope {scope})"
                    out.append(
                        self.signal(
                            "OPTED_OUT_RECIPIENT", 1.0, Evidence("recipient", key, detail=detail)
                        )
                    )
                    break
            # A one-time code is requested by the recipient right now: never held for the night.
            transactional = bool(_ONE_TIME_CODE.search(view.tenant_text))
            quiet = (
                ""
                if transactional
                else self._quiet(recipient, view.event.time, view.event.workload)
            )
            if quiet:
                out.append(self.signal("SMS_QUIET_HOURS", 1.0, Evidence("recipient", detail=quiet)))
        return out

    def _quiet(self, recipient: str, when: datetime, workload: str | None) -> str:
        """Why the send falls in the recipient's quiet hours, or ""."""
        opts = self.options
        assert isinstance(opts, SmsConsentOptions)
        start, end = opts.quiet_start_hour, opts.quiet_end_hour
        if start is None or (workload and workload in opts.quiet_exempt_workloads):
            return ""
        local = local_time(recipient, when)
        if local is None:
            return ""  # time zone unknown (or the country spans several): not judged
        h = local.hour
        inside = (h >= start or h < end) if start > end else (start <= h < end)
        if not inside:
            return ""
        return (
            f"{local:%H:%M} {local.tzname()} at the recipient (quiet {start:02d}:00-{end:02d}:00)"
        )


def _fold(text: str) -> str:
    """Upper case, accents and surrounding punctuation dropped; 'stop all' -> 'STOPALL'."""
    words = text.strip().split()
    if not 0 < len(words) <= 2:
        return ""
    plain = unicodedata.normalize("NFKD", "".join(words))
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return plain.strip(".,;:!?¡¿'\"()[]").upper()
