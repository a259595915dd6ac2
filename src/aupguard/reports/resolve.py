"""Which tenant a report is about: through the send log first, then verified identities.

Steps, strongest first; the first step that finds anyone decides. One tenant: resolved.
Several: ambiguous, a person picks from the candidates. None at all: unknown. Both wait
in triage; nothing is dropped.

| step | how | strong |
|---|---|---|
| feedback token (signature checked) | the send log row that carries it | yes |
| Message-ID | send log rows with that Message-ID | yes |
| sending IP and time | send log rows from that IP within the window | yes |
| sending IP | the tenant whose verified IP range holds it | yes |
| sender domain / address | the tenant that verified the domain | no |
| phone number, sender ID | the tenant that registered it | no |
| URL | the tenant that verified the URL's domain | no |

Strong resolutions name the message (or the network) we know the tenant sent; weak ones
only name what the tenant owns, which anyone can put in a forged message.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from aupguard.enforce.identities import IdentitySnapshot
from aupguard.enforce.tokens import token_valid
from aupguard.reports.model import ReportKeys
from aupguard.store.models import SendLogRow

_MAX_ROWS = 200  # send log rows read per step: enough to see every tenant behind a key


@dataclass(frozen=True, slots=True)
class IpWindow:
    """How far from the reported time a send log row may be: mail waits in queues."""

    before: timedelta = timedelta(hours=6)
    after: timedelta = timedelta(minutes=15)  # clock skew of the receiving side


@dataclass(frozen=True, slots=True)
class Sent:
    """The send log row a report matched: the message we decided."""

    event_id: str
    time: datetime
    channel: str
    identity: str | None
    campaign: str | None


@dataclass(frozen=True, slots=True)
class Resolution:
    tenant_id: str | None = None
    how: str | None = None  # token, message-id, ip-time, ip-range, domain, phone, ...
    strong: bool = False
    sent: Sent | None = None
    candidates: tuple[str, ...] = ()  # several tenants: ambiguous
    notes: tuple[str, ...] = ()

    @property
    def ambiguous(self) -> bool:
        return len(self.candidates) > 1


def resolve(
    session: Session,
    keys: ReportKeys,
    directory: IdentitySnapshot | None,
    token_key: bytes,
    *,
    incident_time: datetime | None = None,
    window: IpWindow = IpWindow(),
) -> Resolution:
    """The tenant a report's keys point at (or the candidates, or nobody)."""
    notes: list[str] = []
    valid = [t for t in keys.feedback_tokens if token_valid(token_key, t)]
    if len(valid) < len(keys.feedback_tokens):
        bad = len(keys.feedback_tokens) - len(valid)
        notes.append(f"{bad} feedback token(s) failed the signature check: forged or foreign")
    steps: list[Callable[[], Resolution | None]] = [
        lambda: _logged(session, "token", SendLogRow.feedback_token.in_(valid)) if valid else None,
        lambda: _by_message_id(session, keys.message_ids),
        lambda: _by_ip_time(session, keys, incident_time, window),
    ]
    if directory is not None:
        d = directory
        ips = [s.ip for s in keys.sending_ips]
        domains = [*keys.domains, *(a.rpartition("@")[2] for a in keys.addresses)]
        hosts = [h for h in (_host(u) for u in keys.urls) if h]
        steps += [
            lambda: _owned("ip-range", ips, d.owner_of_ip, strong=True),
            lambda: _owned("domain", domains, d.owner_of_domain),
            lambda: _owned("phone", keys.phones, d.owner_of_number),
            lambda: _owned("sender-id", keys.sender_ids, d.owner_of_sender_id),
            lambda: _owned("url-domain", hosts, d.owner_of_domain),
        ]
    for step in steps:
        found = step()
        if found is not None:
            return replace(found, notes=tuple(notes))
    return Resolution(notes=tuple(notes))


def _decided(how: str, rows: Sequence[SendLogRow]) -> Resolution | None:
    tenants = sorted({r.tenant_id for r in rows if r.tenant_id})
    if not tenants:
        return None
    if len(tenants) > 1:
        return Resolution(how=how, candidates=tuple(tenants))
    newest = max((r for r in rows if r.tenant_id), key=lambda r: r.time)
    sent = Sent(newest.event_id, newest.time, newest.channel, newest.identity, newest.campaign)
    return Resolution(tenants[0], how, True, sent)


def _logged(session: Session, how: str, where: ColumnElement[bool]) -> Resolution | None:
    rows = session.execute(select(SendLogRow).where(where).limit(_MAX_ROWS)).scalars().all()
    return _decided(how, rows)


def _by_message_id(session: Session, ids: Iterable[str]) -> Resolution | None:
    forms = [f for i in ids for f in (i, f"<{i}>")]
    if not forms:
        return None
    return _logged(session, "message-id", SendLogRow.message_id.in_(forms))


def _by_ip_time(
    session: Session, keys: ReportKeys, incident_time: datetime | None, window: IpWindow
) -> Resolution | None:
    rows: list[SendLogRow] = []
    for sending in keys.sending_ips:
        at = sending.at or incident_time
        if at is None:
            continue
        q = select(SendLogRow).where(
            SendLogRow.sending_ip == sending.ip,
            SendLogRow.time >= at - window.before,
            SendLogRow.time <= at + window.after,
        )
        rows += session.execute(q.limit(_MAX_ROWS)).scalars().all()
    return _decided("ip-time", rows)


def _owned(
    how: str, values: Iterable[str], owner: Callable[[str], str | None], strong: bool = False
) -> Resolution | None:
    tenants = sorted({t for t in (owner(v) for v in values if v) if t})
    if not tenants:
        return None
    if len(tenants) > 1:
        return Resolution(how=how, candidates=tuple(tenants))
    return Resolution(tenants[0], how, strong)


def _host(url: str) -> str | None:
    try:
        return urlsplit(url if "://" in url else f"http://{url}").hostname
    except ValueError:
        return None
