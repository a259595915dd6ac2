"""Which tenant sent a message: its SMTP login, else the domains it sends as, else its address."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parseaddr

from sqlalchemy import func, select

from aupguard.enforce.identities import IdentitySnapshot
from aupguard.enforce.tenants import snapshot
from aupguard.store.db import Store
from aupguard.store.models import IdentityRow

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Mapping:
    tenant: str | None
    how: str  # smtp-login, from-domain, envelope-domain, client-ip, none


def domain_of(address: str | None) -> str:
    """The domain of an address or of a From header value ('' when there is none)."""
    if not address:
        return ""
    _, addr = parseaddr(address)
    return (addr or address).rpartition("@")[2].strip().strip(">").lower()


class TenantMap:
    """Looks senders up in the verified identities; reloads when the identity table changes.

    An SMTP login is an identity of kind `smtp_user` (verified by the provisioning record);
    domains are `domain` identities and their subdomains; client addresses are `ip_range`s.
    Only verified identities count, so a tenant cannot claim mail by adding a domain.
    """

    def __init__(
        self,
        store: Store,
        *,
        recheck_s: float = 5.0,
        on_change: Callable[[IdentitySnapshot], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.recheck_s = recheck_s
        self.on_change = on_change
        self.clock = clock
        self.snapshot = IdentitySnapshot(())
        self._fingerprint: tuple[object, ...] | None = None
        self._checked = -float("inf")
        self._lock = threading.Lock()
        self.refresh()

    def refresh(self) -> bool:
        """Reload when the identities changed (count, newest id, newest verification)."""
        self._checked = self.clock()
        with self.store.read() as s:
            row = s.execute(
                select(
                    func.count(IdentityRow.id),
                    func.max(IdentityRow.id),
                    func.max(IdentityRow.verified_at),
                )
            ).one()
            fingerprint = tuple(row)
            if fingerprint == self._fingerprint:
                return False
            snap = snapshot(s)
        with self._lock:
            self.snapshot, self._fingerprint = snap, fingerprint
        if self.on_change is not None:
            self.on_change(snap)
        return True

    def _current(self) -> IdentitySnapshot:
        if self.clock() - self._checked >= self.recheck_s:
            try:
                self.refresh()
            except Exception as exc:  # keep mapping with what we have; the next call retries
                log.warning("identity reload failed: %s", exc)
        return self.snapshot

    def for_mail(
        self,
        *,
        auth_user: str | None = None,
        header_from: str | None = None,
        mail_from: str | None = None,
        client_ip: str | None = None,
    ) -> Mapping:
        snap = self._current()
        if auth_user:
            tenant = snap.owner_of_smtp_user(auth_user)
            if tenant:
                return Mapping(tenant, "smtp-login")
        for how, domain in (
            ("from-domain", domain_of(header_from)),
            ("envelope-domain", domain_of(mail_from)),
        ):
            tenant = snap.owner_of_domain(domain) if domain else None
            if tenant:
                return Mapping(tenant, how)
        tenant = snap.owner_of_ip(client_ip) if client_ip else None
        if tenant:
            return Mapping(tenant, "client-ip")
        return Mapping(None, "none")
