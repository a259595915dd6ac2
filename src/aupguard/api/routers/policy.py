"""The AUP in force, its versions and acceptances; rulesets with draft diff and shadow results."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException
from sqlalchemy import select

from aupguard.api.deps import Services, require, services
from aupguard.api.problems import responses
from aupguard.api.schemas import (
    AcceptanceOut,
    AupDocumentOut,
    AupVersionOut,
    PublishIn,
    RulesetDraftIn,
    RulesetOut,
    ShadowOut,
)
from aupguard.api.security import Caller
from aupguard.aup.model import AupDocument
from aupguard.aup.versions import (
    accept,
    acceptance_report,
    document_of,
    in_force,
    publish,
    published,
)
from aupguard.datadiff import diff_models
from aupguard.datafile import validate
from aupguard.enforce.shadow import shadow_results
from aupguard.errors import NotFound
from aupguard.rules.model import Ruleset
from aupguard.store.models import RulesetVersion

router = APIRouter(prefix="/v1", tags=["policy"], responses=responses(404, 409))
Svc = Annotated[Services, Depends(services)]
Admin = Annotated[Caller, Depends(require("admin"))]


@router.get("/aup", response_model=AupDocumentOut, summary="The AUP in force today (public)")
def current(svc: Svc) -> AupDocumentOut:
    with svc.store.read() as s:
        row = in_force(published(s), date.today())
        if row is None:
            raise NotFound("no AUP version is published")
        doc = document_of(row)
    return AupDocumentOut(
        version=doc.version,
        effective=doc.effective,
        title=doc.title,
        clauses=[c.model_dump() for c in doc.clauses],
    )


@router.get("/aup/versions", response_model=list[AupVersionOut], summary="Every version (public)")
def versions(svc: Svc) -> list[AupVersionOut]:
    with svc.store.read() as s:
        return [AupVersionOut.model_validate(r) for r in published(s)]


@router.post(
    "/aup/versions",
    response_model=AupVersionOut,
    status_code=201,
    summary="Publish a new version: every tenant is told once",
)
def publish_version(body: PublishIn, caller: Admin, svc: Svc) -> AupVersionOut:
    doc = validate(AupDocument, body.yaml, "request body")
    with svc.store.write() as s:
        out = AupVersionOut.model_validate(
            publish(s, doc, body.yaml, actor=caller.actor, now=datetime.now(UTC))
        )
    svc.decider.reload()
    return out


@router.get(
    "/aup/versions/{version}/acceptances",
    response_model=list[AcceptanceOut],
    summary="Who accepted, explicitly or by use",
)
def acceptances(version: str, caller: Admin, svc: Svc) -> list[AcceptanceOut]:
    with svc.store.read() as s:
        return [AcceptanceOut.model_validate(a) for a in acceptance_report(s, version)]


@router.post(
    "/aup/versions/{version}/accept/{tenant_id}",
    response_model=AcceptanceOut,
    summary="Record a tenant's explicit acceptance",
)
def accept_version(
    version: str, tenant_id: str, caller: Annotated[Caller, Depends(require("decide"))], svc: Svc
) -> AcceptanceOut:
    if "admin" not in caller.scopes and caller.tenant_id != tenant_id:
        raise HTTPException(403, "a tenant may accept only for itself")
    with svc.store.write() as s:
        row = accept(
            s, tenant_id, version, how="explicit", actor=caller.actor, now=datetime.now(UTC)
        )
        return AcceptanceOut(tenant_id=row.tenant_id, how=row.how, at=row.at)


@router.get("/rulesets", response_model=list[RulesetOut], summary="Ruleset versions")
def rulesets(caller: Admin, svc: Svc) -> list[RulesetOut]:
    with svc.store.read() as s:
        rows = s.execute(select(RulesetVersion).order_by(RulesetVersion.activated_at.desc()))
        return [RulesetOut.model_validate(r) for r in rows.scalars()]


@router.post(
    "/rulesets/draft",
    response_model=ShadowOut,
    summary="A draft's diff against the active ruleset and its shadow results",
)
def draft(body: RulesetDraftIn, caller: Admin, svc: Svc) -> ShadowOut:
    ruleset = validate(Ruleset, body.yaml, "draft")
    with svc.store.read() as s:
        result = shadow_results(s, ruleset, body.sample)
    return ShadowOut(
        diff=diff_models(svc.decider.ruleset, ruleset),
        evaluated=result.evaluated,
        changed=result.changed,
        by_action=result.transitions,
    )
