"""Ownership of a tenant's e-mail identities: From, MAIL FROM, DKIM d=, HELO, Message-ID."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pydantic import BaseModel, ConfigDict

from aupguard.auth.dkim import signature_tags
from aupguard.detectors.base import Detector, Evidence, Finding, SignalSpec
from aupguard.detectors.context import Context, Directory
from aupguard.detectors.owners import domain_of, foreign_owner, owned_by
from aupguard.events.email import EmailView
from aupguard.events.model import Channel, Direction
from aupguard.events.views import Views

OWNERSHIP_SIGNALS = (
    "FROM_NOT_OWNED",
    "FROM_OTHER_TENANT",
    "FROM_BRAND_DOMAIN",
    "ENVELOPE_NOT_OWNED",
    "DKIM_DOMAIN_NOT_OWNED",
    "HELO_NOT_OWNED",
    "MESSAGE_ID_NOT_OWNED",
)


class Options(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # Domains of the platform itself (bounce/VERP envelope, its DKIM d=, HELO, Message-ID).
    platform_domains: list[str] = []


class SenderOwnershipDetector(Detector):
    name = "sender_ownership"
    description = (
        "Checks that the From, envelope sender, DKIM d=, HELO and Message-ID domains of a "
        "tenant's outbound mail are its verified identities, aliases or disclosed remailers."
    )
    channels = frozenset({Channel.EMAIL})
    signals = (
        SignalSpec(
            "FROM_NOT_OWNED", "The From domain is not a verified identity of the tenant.", True
        ),
        SignalSpec("FROM_OTHER_TENANT", "The From domain is verified to another tenant.", True),
        SignalSpec(
            "FROM_BRAND_DOMAIN", "The From domain is a well-known brand's the tenant is not.", True
        ),
        SignalSpec("ENVELOPE_NOT_OWNED", "The envelope sender's domain is not the tenant's.", True),
        SignalSpec(
            "DKIM_DOMAIN_NOT_OWNED", "A DKIM signature's d= domain is not the tenant's.", True
        ),
        SignalSpec("HELO_NOT_OWNED", "The HELO name is a host of someone else's domain.", True),
        SignalSpec("MESSAGE_ID_NOT_OWNED", "The Message-ID names a domain not the tenant's.", True),
        SignalSpec("VERIFIED_ALIAS", "The sender is a verified alias of the tenant.", True),
        SignalSpec(
            "DISCLOSED_REMAILER", "The mail goes through a remailer the tenant disclosed.", True
        ),
    )
    Options = Options

    def check(self, view: Views, ctx: Context) -> Sequence[Finding]:
        event = view.event
        tenant, directory = event.tenant, ctx.directory
        if not isinstance(view, EmailView) or tenant is None or directory is None:
            return []
        if event.direction is not Direction.OUTBOUND:
            return []
        assert isinstance(self.options, Options)
        platform = tuple(d.lower().rstrip(".") for d in self.options.platform_domains)
        found: list[Finding] = []

        def owned(value: str) -> bool:
            return owned_by(directory, tenant, value, platform)

        _, address = view.from_address
        from_domain = domain_of(address)
        if from_domain and not owned(address):
            ev = Evidence("header:From", from_domain, detail=f"From domain {from_domain}")
            found.append(self.signal("FROM_NOT_OWNED", 1.0, ev))
            other = foreign_owner(directory, tenant, from_domain)
            if other is not None:
                name = "FROM_OTHER_TENANT" if other.kind == "tenant" else "FROM_BRAND_DOMAIN"
                detail = f"From domain {from_domain} belongs to {other}"
                found.append(
                    self.signal(name, 1.0, Evidence("header:From", from_domain, detail=detail))
                )
        envelope = view.content.mail_from or ""
        if envelope and not owned(envelope):
            d = domain_of(envelope)
            ev = Evidence("envelope:MAIL FROM", d, detail=f"envelope sender domain {d}")
            found.append(self.signal("ENVELOPE_NOT_OWNED", 1.0, ev))
        for d in _dkim_domains(view):
            if not owned(d):
                ev = Evidence("header:DKIM-Signature", d, detail=f"signing domain d={d}")
                found.append(self.signal("DKIM_DOMAIN_NOT_OWNED", 1.0, ev))
                break
        found.extend(self._weak_names(view, directory, tenant, owned))
        found.extend(self._exceptions(view, directory, tenant, address, envelope))
        return found

    def _weak_names(
        self,
        view: EmailView,
        directory: Directory,
        tenant: str,
        owned: Callable[[str], bool],
    ) -> list[Finding]:
        """HELO and Message-ID: often a machine's own name, so only claims count in full."""
        found: list[Finding] = []
        checks = (
            ("HELO_NOT_OWNED", "envelope:HELO", (view.content.helo or "").strip().lower()),
            ("MESSAGE_ID_NOT_OWNED", "header:Message-ID", _message_id_domain(view.message_id)),
        )
        for name, part, host in checks:
            if not host or "." not in host or host.startswith("[") or _is_ip(host) or owned(host):
                continue
            other = foreign_owner(directory, tenant, host, relays=False)
            strength = 1.0 if other is not None else 0.5
            detail = f"{host} belongs to {other}" if other else f"{host} is not the tenant's"
            found.append(self.signal(name, strength, Evidence(part, host, detail=detail)))
        return found

    def _exceptions(
        self, view: EmailView, directory: Directory, tenant: str, address: str, envelope: str
    ) -> list[Finding]:
        found: list[Finding] = []
        for part, value in (("header:From", address), ("envelope:MAIL FROM", envelope)):
            if value and directory.is_alias(tenant, value):
                detail = f"{domain_of(value)} is a verified alias of the tenant"
                ev = Evidence(part, domain_of(value), detail=detail)
                found.append(self.signal("VERIFIED_ALIAS", 1.0, ev))
                break
        candidates = (
            ("header:From", domain_of(address)),
            ("envelope:MAIL FROM", domain_of(envelope)),
            ("header:Message-ID", _message_id_domain(view.message_id)),
        )
        for part, domain in candidates:
            if domain and directory.is_remailer(tenant, domain):
                detail = f"{domain} is a remailer the tenant disclosed"
                found.append(
                    self.signal("DISCLOSED_REMAILER", 1.0, Evidence(part, domain, detail=detail))
                )
                break
        return found


def _dkim_domains(view: EmailView) -> list[str]:
    out: list[str] = []
    for value in view.header_all("DKIM-Signature")[:8]:
        d = signature_tags(value).get(b"d", b"").decode("ascii", "replace").strip().lower()
        if d and d not in out:
            out.append(d)
    return out


def _message_id_domain(message_id: str | None) -> str:
    if not message_id:
        return ""
    return message_id.strip().strip("<>").rpartition("@")[2].strip().rstrip(">").lower()


def _is_ip(host: str) -> bool:
    return all(c.isdigit() or c == "." for c in host) or ":" in host
