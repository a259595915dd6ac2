"""Public pages: the AUP in force, its history with what changed."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from aupguard.api.deps import Services, services
from aupguard.aup.versions import document_of, in_force, published
from aupguard.datadiff import diff_models
from aupguard.web.templating import templates

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def aup_page(request: Request, svc: Annotated[Services, Depends(services)]) -> Response:
    with svc.store.read() as s:
        row = in_force(published(s), date.today())
        doc = document_of(row) if row else svc.decider.engine.document
    return templates.TemplateResponse(request, "public_aup.html", {"doc": doc})


@router.get("/aup/history", response_class=HTMLResponse)
def history(request: Request, svc: Annotated[Services, Depends(services)]) -> Response:
    with svc.store.read() as s:
        rows = published(s)
        docs = [document_of(r) for r in rows]
    versions = []
    for i, (row, doc) in enumerate(zip(rows, docs, strict=True)):
        changes = diff_models(docs[i - 1], doc) if i else ["first published version"]
        versions.append({"row": row, "doc": doc, "changes": changes})
    return templates.TemplateResponse(
        request, "public_history.html", {"versions": list(reversed(versions))}
    )
