"""Held media evidence in the console: blurred thumbnails only, never the original bytes."""

from __future__ import annotations

import io
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import Response

from aupguard.api.deps import Services, services
from aupguard.audit.chain import append as audit
from aupguard.enforce.evidence import media_of
from aupguard.store.models import Case, HeldEvidence
from aupguard.web.guard import Reviewer, require_role

router = APIRouter(prefix="/console", include_in_schema=False)
Svc = Annotated[Services, Depends(services)]
THUMB = 256  # longest side of the thumbnail, pixels
BLUR = 18  # Gaussian radius on the thumbnail: shapes and colours stay, content does not
BLOCK = 16  # then pixelated to blocks of this size


def blurred_thumbnail(data: bytes) -> bytes:
    """A small, heavily blurred and pixelated PNG of an image (made server-side with Pillow)."""
    from PIL import Image, ImageFilter

    try:
        with Image.open(io.BytesIO(data)) as img:
            img.draft("RGB", (THUMB * 2, THUMB * 2))
            small = img.convert("RGB")
    except (OSError, ValueError, Image.DecompressionBombError):
        small = Image.new("RGB", (THUMB, THUMB), (128, 128, 128))  # not an image: a grey tile
    small.thumbnail((THUMB, THUMB))
    blurred = small.filter(ImageFilter.GaussianBlur(BLUR))
    w, h = blurred.size
    tiny = blurred.resize((max(1, w // BLOCK), max(1, h // BLOCK)), Image.Resampling.BILINEAR)
    out = tiny.resize((w, h), Image.Resampling.NEAREST)
    buf = io.BytesIO()
    out.save(buf, "PNG")
    return buf.getvalue()


@router.get("/cases/{case_id}/evidence/{evidence_id}/thumb.png")
def thumbnail(case_id: int, evidence_id: int, who: Reviewer, svc: Svc) -> Response:
    """The only way the console shows held media: blurred, audited, for reviewers and admins."""
    require_role(who, "reviewer")
    with svc.store.write() as s:
        row = s.get(HeldEvidence, evidence_id)
        case = s.get(Case, case_id)
        if row is None or case is None or row.case_id != case_id:
            raise HTTPException(404, f"no evidence {evidence_id} in case {case_id}")
        audit(
            s,
            actor=f"reviewer:{who.username}",
            kind="evidence.view_blurred",
            subject=f"evidence:{evidence_id}",
            data={"case": case_id, "legal_hold": case.legal_hold},
        )
        data = media_of(row, svc.settings)
    headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
    return Response(blurred_thumbnail(data), media_type="image/png", headers=headers)
