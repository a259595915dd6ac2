"""Tenants and their identities with verification."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select

from aupguard.api.deps import Services, require, services
from aupguard.api.problems import responses
from aupguard.api.schemas import (
    IdentityIn,
    IdentityOut,
    Page,
    PathId,
    TenantIn,
    TenantOut,
    VerifyIn,
)
from aupguard.api.security import Caller
from aupguard.enforce.dnsproof import dns_txt_lookup
from aupguard.enforce.identities import IdentityKind
from aupguard.enforce.tenants import Proof, add_identity, create_tenant, get_tenant, verify_identity
from aupguard.store.models import IdentityRow, Tenant

router = APIRouter(prefix="/v1/tenants", tags=["tenants"], responses=responses(404, 409))
Admin = Annotated[Caller, Depends(require("admin"))]
Svc = Annotated[Services, Depends(services)]


def _out(svc: Services, tenant: Tenant, identities: list[IdentityRow]) -> TenantOut:
    st = svc.decider.status.check(tenant.id, "*")
    out = TenantOut.model_validate(tenant)
    out.status = st.state
    out.identities = [IdentityOut.model_validate(i) for i in identities]
    return out


@router.get("", response_model=Page, summary="Tenants, by id, paginated")
def list_tenants(
    caller: Admin,
    svc: Svc,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
) -> Page:
    svc.decider.status.refresh()
    with svc.store.read() as s:
        q = select(Tenant).order_by(Tenant.id).limit(limit + 1)
        if cursor:
            q = q.where(Tenant.id > cursor)
        rows = list(s.execute(q).scalars())
        items = [_out(svc, t, []) for t in rows[:limit]]
    return Page(items=items, next_cursor=rows[limit - 1].id if len(rows) > limit else None)


@router.post("", response_model=TenantOut, status_code=201, summary="Create a tenant")
def create(body: TenantIn, caller: Admin, svc: Svc) -> TenantOut:
    with svc.store.write() as s:
        t = create_tenant(
            s,
            body.id,
            body.name,
            actor=caller.actor,
            contact_email=body.contact_email,
            webhook_url=body.webhook_url,
        )
        return _out(svc, t, [])


@router.get("/{tenant_id}", response_model=TenantOut, summary="One tenant with identities")
def get(tenant_id: str, caller: Admin, svc: Svc) -> TenantOut:
    with svc.store.read() as s:
        t = get_tenant(s, tenant_id)
        ids = list(
            s.execute(select(IdentityRow).where(IdentityRow.tenant_id == tenant_id)).scalars()
        )
        return _out(svc, t, ids)


@router.post(
    "/{tenant_id}/identities",
    response_model=IdentityOut,
    status_code=201,
    summary="Add an identity (unverified)",
)
def add(tenant_id: str, body: IdentityIn, caller: Admin, svc: Svc) -> IdentityOut:
    with svc.store.write() as s:
        row = add_identity(
            s,
            tenant_id,
            IdentityKind(body.kind),
            body.value,
            actor=caller.actor,
            workload=body.workload,
        )
        return IdentityOut.model_validate(row)


@router.post(
    "/{tenant_id}/identities/{identity_id}/verify",
    response_model=IdentityOut,
    summary="Verify an identity: DNS TXT for domains, a record for the rest",
)
def verify(
    tenant_id: str, identity_id: PathId, body: VerifyIn, caller: Admin, svc: Svc
) -> IdentityOut:
    proof = Proof(
        txt_lookup=dns_txt_lookup(), token_key=svc.settings.secret("token"), record=body.record
    )
    with svc.store.write() as s:
        row = verify_identity(s, identity_id, proof, actor=caller.actor)
        out = IdentityOut.model_validate(row)
    svc.decider.reload()
    return out
