"""Publishing AUP versions, the version in force at a time, and tenants' acceptances."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from aupguard.audit.chain import append as audit
from aupguard.aup.model import AupDocument
from aupguard.datadiff import diff_models
from aupguard.datafile import validate
from aupguard.errors import EnforcementError, NotFound
from aupguard.notify.notices import AupChangeNotice
from aupguard.notify.route import notify_tenant
from aupguard.notify.templates import render
from aupguard.store.models import Acceptance, AupVersion, Tenant


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


def published(session: Session) -> list[AupVersion]:
    """Every published version, oldest effective date first."""
    rows = session.execute(select(AupVersion)).scalars().all()
    return sorted(rows, key=lambda r: (r.effective, _key(r.version)))


def document_of(row: AupVersion) -> AupDocument:
    return validate(AupDocument, row.document, f"aup_versions[{row.version}]")


def in_force(rows: list[AupVersion], when: date) -> AupVersion | None:
    """The newest version whose effective date is on or before `when`."""
    current = [r for r in rows if r.effective <= when]
    return current[-1] if current else (rows[0] if rows else None)


def publish(
    session: Session,
    document: AupDocument,
    text: str,
    *,
    actor: str,
    now: datetime,
    public_url: str = "",
) -> AupVersion:
    """Record a new version and tell every tenant once (outbox); a version is immutable."""
    rows = published(session)
    if any(r.version == document.version for r in rows):
        raise EnforcementError(
            f"AUP {document.version} is published already; publish a new version number"
        )
    if rows and _key(document.version) <= max(_key(r.version) for r in rows):
        raise EnforcementError(
            f"AUP {document.version} is not newer than "
            f"{max(rows, key=lambda r: _key(r.version)).version}"
        )
    row = AupVersion(
        version=document.version,
        effective=document.effective,
        digest=document.digest,
        document=text,
        published_at=now,
        published_by=actor,
    )
    session.add(row)
    session.flush()
    audit(
        session,
        actor=actor,
        kind="aup.publish",
        subject=f"aup:{document.version}",
        data={"digest": document.digest, "effective": str(document.effective)},
        time=now,
    )
    changes = tuple(diff_models(document_of(rows[-1]), document)[:40]) if rows else ()
    previous = rows[-1].version if rows else None
    for tenant in session.execute(select(Tenant)).scalars():
        notice = AupChangeNotice(
            tenant_name=tenant.name,
            title=document.title,
            version=document.version,
            effective=document.effective,
            previous_version=previous,
            changes=changes,
            document_url=f"{public_url}/",
            accept_url=None,
        )
        notify_tenant(
            session,
            tenant,
            render(notice),
            dedup_key=f"aup:{document.version}:{tenant.id}",
            now=now,
        )
    return row


def accept(
    session: Session, tenant_id: str, version: str, *, how: str, actor: str, now: datetime
) -> Acceptance:
    """Record acceptance once (explicit, or by first use after the effective date)."""
    if session.get(AupVersion, version) is None:
        raise NotFound(f"AUP {version} was never published")
    found = session.execute(
        select(Acceptance).where(Acceptance.tenant_id == tenant_id, Acceptance.version == version)
    ).scalar()
    if found is not None:
        return found
    row = Acceptance(tenant_id=tenant_id, version=version, how=how, at=now, actor=actor)
    session.add(row)
    session.flush()
    audit(
        session,
        actor=actor,
        kind="aup.accept",
        subject=f"tenant:{tenant_id}",
        data={"version": version, "how": how},
        time=now,
    )
    return row


@dataclass(frozen=True, slots=True)
class AcceptanceLine:
    tenant_id: str
    how: str | None  # explicit, use, or None (not yet)
    at: datetime | None


def acceptance_report(session: Session, version: str) -> list[AcceptanceLine]:
    accepted = {
        a.tenant_id: a
        for a in session.execute(select(Acceptance).where(Acceptance.version == version)).scalars()
    }
    lines = []
    for tenant in session.execute(select(Tenant).order_by(Tenant.id)).scalars():
        a = accepted.get(tenant.id)
        lines.append(AcceptanceLine(tenant.id, a.how if a else None, a.at if a else None))
    return lines
