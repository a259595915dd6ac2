"""Web vulnerability scanning and attacks in HTTP request logs: signatures and payloads.

Per request: scanner signatures (User-Agent, markers scanners plant in payloads), attack
payloads (SQL injection, XSS, path traversal, command injection), probes for secrets and
admin panels. Per client, attack requests are rolled up so that a run of them escalates.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from aupguard.detectors.base import Detector, Evidence, Finding, Observation, SignalSpec
from aupguard.detectors.base import excerpt as masked
from aupguard.detectors.context import Context
from aupguard.detectors.rollup import actor, attribution, ramp, span
from aupguard.detectors.webpatterns import decode, web_patterns
from aupguard.events.model import Channel, HttpRequest
from aupguard.events.views import Views
from aupguard.signals import Signal

_ATTACK = {
    "sqli": "WEB_ATTACK_SQLI",
    "xss": "WEB_ATTACK_XSS",
    "traversal": "WEB_ATTACK_TRAVERSAL",
    "cmdi": "WEB_ATTACK_CMDI",
}
_PROBED = frozenset({401, 403, 404, 405})


class WebAttackOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    window_s: int = Field(600, ge=60)
    repeated: int = Field(5, ge=2)  # attack requests by one client that make a run


class WebAttackDetector(Detector):
    name = "webattack"
    description = "Scanner signatures, attack payloads and secret or admin probes in HTTP logs."
    channels = frozenset({Channel.HTTP})
    signals = (
        SignalSpec(
            "WEB_SCANNER_SIGNATURE",
            "A vulnerability scanner's User-Agent or payload marker.",
            deterministic=True,
        ),
        SignalSpec("WEB_ATTACK_SQLI", "The request carries an SQL injection payload."),
        SignalSpec("WEB_ATTACK_XSS", "The request carries a cross-site scripting payload."),
        SignalSpec("WEB_ATTACK_TRAVERSAL", "The request tries path traversal or file inclusion."),
        SignalSpec("WEB_ATTACK_CMDI", "The request carries a command injection payload."),
        SignalSpec("WEB_SECRET_PROBE", "The request asks for secrets, repositories or backups."),
        SignalSpec("WEB_ADMIN_PROBE", "An admin panel path was asked for, absent or refused."),
        SignalSpec("WEB_ATTACK_REPEATED", "One client sent a run of attack requests in minutes."),
    )
    Options = WebAttackOptions

    def check(self, view: Views, ctx: Context) -> Sequence[Finding]:
        req = view.event.content
        assert isinstance(req, HttpRequest)
        pats = web_patterns()
        text = decode(req.target)
        path = text.split("?", 1)[0]
        where = f"{req.method} {req.target}"[:200]
        found: list[Finding] = []
        tool = pats.agent_hit(req.user_agent)
        marker = pats.marker_hit(text) or pats.marker_hit(decode(req.referrer))
        if tool or marker:
            what = f"user agent names {tool}" if tool else f"payload marker {marker!r}"
            found.append(self._sig("WEB_SCANNER_SIGNATURE", view, where, what))
        matches = pats.attacks(text)
        headers = f"{req.user_agent}\n{req.referrer}".lower()
        matches += [m for m in pats.attacks(headers) if m.category == "cmdi"]
        for kind in dict.fromkeys(m.category for m in matches):
            m = next(x for x in matches if x.category == kind)
            snippet = masked(m.text, 0, len(m.text), 0)
            found.append(self._sig(_ATTACK[kind], view, where, f"{kind} payload: {snippet}"))
        segments = [s for s in path.split("/") if s]
        secret = next((s for s in segments if s in pats.secret_segments), None)
        if secret is None and 400 <= req.status < 500 and path.endswith(pats.backup_suffixes):
            secret = segments[-1] if segments else path
        if secret:
            found.append(self._sig("WEB_SECRET_PROBE", view, where, f"asks for {secret!r}"))
        if req.status in _PROBED:
            admin = next((s for s in segments if s in pats.admin_segments), None)
            if admin:
                detail = f"admin path {admin!r} answered {req.status}"
                found.append(self._sig("WEB_ADMIN_PROBE", view, where, detail))
        names = [f.name for f in found if isinstance(f, Signal)]
        if any(n != "WEB_ADMIN_PROBE" for n in names):
            found.extend(self._rollup(view, ctx, names, where))
        return found

    def _sig(self, name: str, view: Views, where: str, what: str) -> Finding:
        ev = Evidence("request", masked(where, 0, len(where), 0), detail=what)
        return self.signal(name, 1.0, ev)

    def _rollup(self, view: Views, ctx: Context, names: list[str], where: str) -> list[Finding]:
        o = self.options
        assert isinstance(o, WebAttackOptions)
        req = view.event.content
        assert isinstance(req, HttpRequest)
        who, now = actor(view.event, req.client), view.event.time
        runs, kinds = f"wa:n:{who}", f"wa:k:{who}"
        out: list[Finding] = [Observation("count", runs, ttl_s=o.window_s)]
        out += [Observation("distinct", kinds, n, ttl_s=o.window_s) for n in names]
        total = ctx.state.count(runs, o.window_s, now) + 1
        if total >= o.repeated:
            seen = ctx.state.members(kinds, now, 20)
            all_kinds = sorted({k for k, _ in seen} | set(names))
            since = span(min([ts for _, ts in seen], default=now.timestamp()), now)
            detail = (
                f"{total:.0f} attack requests from {req.client} {since} "
                f"({', '.join(all_kinds)}); {attribution(view.event)}"
            )
            ev = Evidence("request", masked(where, 0, len(where), 0), detail=detail)
            out.append(self.signal("WEB_ATTACK_REPEATED", ramp(total, o.repeated), ev))
        return out
