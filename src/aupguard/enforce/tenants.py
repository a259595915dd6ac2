"""Tenants and their identities: creation, proof, re-signup checks, import/export, snapshot."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from aupguard.audit.chain import append as audit
from aupguard.enforce.dnsproof import TxtLookup, domain_proven
from aupguard.enforce.identities import (
    Identity,
    IdentityKind,
    IdentitySnapshot,
    normalize_domain,
    normalize_number,
)
from aupguard.errors import EnforcementError, NotFound
from aupguard.store.models import IdentityRow, StatusRow, Tenant


def _now() -> datetime:
    return datetime.now(UTC)


def canonical_value(kind: IdentityKind, value: str) -> str:
    """The form identities are stored and compared in; raises ValueError when malformed."""
    match kind:
        case IdentityKind.DOMAIN | IdentityKind.REMAILER:
            d = normalize_domain(value)
            if "." not in d or " " in d:
                raise ValueError(f"{value!r} is not a domain name")
            return d
        case IdentityKind.NUMBER:
            digits = normalize_number(value)
            if not 6 <= len(digits) <= 15:
                raise ValueError(f"{value!r} is not an E.164 number")
            return "+" + digits
        case IdentityKind.IP_RANGE:
            return str(ipaddress.ip_network(value, strict=False))
        case IdentityKind.ALIAS | IdentityKind.SMTP_USER:
            return value.strip().lower()
        case _:
            return value.strip()


def create_tenant(
    session: Session,
    tenant_id: str,
    name: str,
    *,
    actor: str,
    contact_email: str | None = None,
    webhook_url: str | None = None,
    webhook_secret: str | None = None,
) -> Tenant:
    if session.get(Tenant, tenant_id) is not None:
        raise EnforcementError(f"tenant {tenant_id!r} exists already")
    tenant = Tenant(
        id=tenant_id,
        name=name,
        contact_email=contact_email,
        webhook_url=webhook_url,
        webhook_secret=webhook_secret,
        created_at=_now(),
    )
    session.add(tenant)
    session.flush()
    audit(session, actor=actor, kind="tenant.create", subject=f"tenant:{tenant_id}")
    return tenant


def get_tenant(session: Session, tenant_id: str) -> Tenant:
    tenant = session.get(Tenant, tenant_id)
    if tenant is None:
        raise NotFound(f"no tenant {tenant_id!r} (list them with `aupguard tenants list`)")
    return tenant


def _terminated_owner(session: Session, kind: IdentityKind, value: str) -> str | None:
    rows = session.execute(
        select(IdentityRow.tenant_id)
        .join(StatusRow, StatusRow.tenant_id == IdentityRow.tenant_id)
        .where(
            IdentityRow.kind == kind.value,
            IdentityRow.value == value,
            StatusRow.state == "terminated",
            StatusRow.channel == "*",
        )
    ).first()
    return rows[0] if rows else None


def add_identity(
    session: Session,
    tenant_id: str,
    kind: IdentityKind,
    value: str,
    *,
    actor: str,
    workload: str | None = None,
    allow_resignup: bool = False,
) -> IdentityRow:
    """Add an unverified identity; refused when it belonged to a terminated tenant."""
    get_tenant(session, tenant_id)
    try:
        canonical = canonical_value(kind, value)
    except ValueError as exc:
        raise EnforcementError(str(exc)) from None
    previous = _terminated_owner(session, kind, canonical)
    if previous and previous != tenant_id and not allow_resignup:
        raise EnforcementError(
            f"{kind.value} {canonical} belonged to terminated tenant {previous!r}: refused as a "
            "possible re-signup (an admin may allow it explicitly)"
        )
    row = IdentityRow(
        tenant_id=tenant_id, kind=kind.value, value=canonical, workload=workload, created_at=_now()
    )
    session.add(row)
    session.flush()
    audit(
        session,
        actor=actor,
        kind="identity.add",
        subject=f"identity:{row.id}",
        data={"tenant": tenant_id, "kind": kind.value},
    )
    return row


@dataclass(frozen=True, slots=True)
class Proof:
    """What verifies an identity: a DNS look-up for domains, a record for the rest."""

    txt_lookup: TxtLookup | None = None
    token_key: bytes = b""
    record: str | None = None  # registration id, assignment reference, alias confirmation


def verify_identity(session: Session, identity_id: int, proof: Proof, *, actor: str) -> IdentityRow:
    row = session.get(IdentityRow, identity_id)
    if row is None:
        raise NotFound(f"no identity {identity_id}")
    kind = IdentityKind(row.kind)
    if (
        kind in (IdentityKind.DOMAIN, IdentityKind.ALIAS, IdentityKind.REMAILER)
        and "@" not in row.value
    ):
        if proof.txt_lookup is None:
            raise EnforcementError(f"{row.value}: domain proof needs a DNS TXT look-up")
        if not domain_proven(proof.txt_lookup, proof.token_key, row.tenant_id, row.value):
            raise EnforcementError(
                f"{row.value}: no TXT record with the tenant's token at _aupguard.{row.value}"
            )
        row.proof = "dns-txt"
    else:
        if not proof.record:
            raise EnforcementError(
                f"{kind.value} {row.value}: give the registration or "
                "assignment record that proves it"
            )
        row.proof = proof.record[:500]
    row.verified_at = _now()
    audit(
        session,
        actor=actor,
        kind="identity.verify",
        subject=f"identity:{row.id}",
        data={"tenant": row.tenant_id, "kind": row.kind, "proof": row.proof},
    )
    return row


def snapshot(session: Session, version: int = 0) -> IdentitySnapshot:
    rows = session.execute(select(IdentityRow).where(IdentityRow.verified_at.is_not(None)))
    return IdentitySnapshot(
        (
            Identity(r.tenant_id, IdentityKind(r.kind), r.value, True, r.workload)
            for r in rows.scalars()
        ),
        version,
    )


def export_tenants(session: Session) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for t in session.execute(select(Tenant).order_by(Tenant.id)).scalars():
        ids = session.execute(
            select(IdentityRow).where(IdentityRow.tenant_id == t.id).order_by(IdentityRow.id)
        ).scalars()
        out.append(
            {
                "id": t.id,
                "name": t.name,
                "contact_email": t.contact_email,
                "webhook_url": t.webhook_url,
                "identities": [
                    {
                        "kind": i.kind,
                        "value": i.value,
                        "workload": i.workload,
                        "proof": i.proof,
                        "verified": i.verified_at is not None,
                    }
                    for i in ids
                ],
            }
        )
    return out


def import_tenants(session: Session, data: list[dict[str, Any]], *, actor: str) -> int:
    """Create tenants and identities from an export; verified flags need a proof recorded."""
    count = 0
    for item in data:
        if session.get(Tenant, item["id"]) is None:
            create_tenant(
                session,
                item["id"],
                item.get("name") or item["id"],
                actor=actor,
                contact_email=item.get("contact_email"),
                webhook_url=item.get("webhook_url"),
            )
            count += 1
        for ident in item.get("identities", []):
            row = add_identity(
                session,
                item["id"],
                IdentityKind(ident["kind"]),
                ident["value"],
                actor=actor,
                workload=ident.get("workload"),
            )
            if ident.get("verified"):
                row.proof = ident.get("proof") or f"imported by {actor}"
                row.verified_at = _now()
    return count
