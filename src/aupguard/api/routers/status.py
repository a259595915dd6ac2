"""May tenant T send on channel C now? Answered from the status cache."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from aupguard.api.deps import Services, require, services
from aupguard.api.metrics import STATUS_VERSION
from aupguard.api.schemas import MAX_ID, StatusOut, StatusTableOut, VersionOut
from aupguard.api.security import Caller
from aupguard.gateways.wire import status_json

router = APIRouter(prefix="/v1/status", tags=["status"])

NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "The status version is still `known`: no body."}
}


@router.get(
    "",
    response_model=StatusTableOut,
    responses=NOT_MODIFIED,
    summary="Every status that is not active (gateways poll it with known=V)",
)
def table(
    caller: Annotated[Caller, Depends(require("decide"))],
    svc: Annotated[Services, Depends(services)],
    known: Annotated[
        int | None,
        Query(ge=0, le=MAX_ID, description="The version the caller holds: 304 while current."),
    ] = None,
) -> Response | StatusTableOut:
    """One query for the version and, only when it moved, one for the table (docs/gateways.md)."""
    with svc.store.read() as s:
        body = status_json(s, known)
    if body is None:
        return Response(status_code=304)
    STATUS_VERSION.set(body["version"])
    return StatusTableOut.model_validate(body)


@router.get("/version", response_model=VersionOut, summary="The status version (poll it)")
def version(
    caller: Annotated[Caller, Depends(require("decide"))],
    svc: Annotated[Services, Depends(services)],
) -> VersionOut:
    cache = svc.decider.status
    cache.refresh()
    STATUS_VERSION.set(cache.version)
    return VersionOut(version=cache.version)


@router.get("/{tenant}", response_model=StatusOut, summary="May this tenant send now?")
def status(
    tenant: str,
    caller: Annotated[Caller, Depends(require("decide"))],
    svc: Annotated[Services, Depends(services)],
    channel: Annotated[str, Query(max_length=20)] = "*",
    identity: Annotated[list[str] | None, Query(max_length=20)] = None,
) -> StatusOut:
    cache = svc.decider.status
    cache.refresh()
    st = cache.check(tenant, channel, tuple(identity or ()))
    blocked = st.state in ("suspended", "terminated") or (
        st.state == "restricted" and st.restriction in ("block", "defer")
    )
    return StatusOut(
        tenant=tenant,
        channel=channel,
        may_send=not blocked,
        state=st.state,
        restriction=st.restriction,
        case_ref=f"AUP-{st.case_id:06d}" if st.case_id else None,
        version=cache.version,
    )
