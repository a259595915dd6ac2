"""Child-safety bank: a PDQ match suspends at once, holds the evidence, and shows it blurred only.

The image is generated here (random blocks); no real abuse material is used anywhere.
"""

from __future__ import annotations

import io
import random
import re
from dataclasses import replace
from datetime import UTC, datetime

from PIL import Image, ImageDraw
from sqlalchemy import select

from aupguard.banks.hashing import hashes_of
from aupguard.banks.lists import create_bank, import_entries
from aupguard.banks.model import Purpose
from aupguard.enforce.evidence import media_of
from aupguard.enforce.identities import IdentityKind
from aupguard.enforce.tenants import add_identity, create_tenant
from aupguard.store.models import Case, CaseItem, HeldEvidence, OutboxMessage, StatusRow
from tests.detectors.samples import mail
from tests.web.conftest import Site


def generated_image(seed: int = 7, size: int = 320) -> Image.Image:
    """A gradient with coloured discs, fixed seed: high PDQ quality, obviously synthetic."""
    rng = random.Random(seed)
    img = Image.new("RGB", (size, size))
    draw = ImageDraw.Draw(img)
    for y in range(size):
        draw.line([(0, y), (size, y)], fill=(255 * y // size, 80, 255 - 255 * y // size))
    for _ in range(24):
        x, y, r = rng.randrange(size), rng.randrange(size), rng.randrange(8, 60)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        draw.ellipse([x - r, y - r, x + r, y + r], fill=colour)
    return img


def encoded(img: Image.Image, fmt: str, **kw: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def test_pdq_match_suspends_holds_evidence_and_shows_blurred_only(site: Site) -> None:
    original = generated_image()
    listed = hashes_of(encoded(original, "PNG"), is_image=True)
    assert listed.pdq and listed.pdq_quality >= 50
    # What is sent is a resized JPEG re-encoding: not the same bytes, the same picture.
    sent = encoded(original.resize((300, 300)), "JPEG", quality=80)
    sent_hashes = hashes_of(sent, is_image=True)
    assert sent_hashes.sha256 != listed.sha256
    now = datetime.now(UTC)
    with site.store.write() as s:
        create_tenant(s, "acme", "Acme", actor="test", contact_email="abuse@acme.example")
        add_identity(s, "acme", IdentityKind.NUMBER, "+15550100001", actor="test")
        create_bank(s, "child-safety", Purpose.CSAM, now, "test list")
        import_entries(s, "child-safety", [("pdq", listed.pdq, "generated test image")], now)
    decider = site.app.state.services.decider  # type: ignore[attr-defined]
    decider.reload()
    event = replace(mail("see attached", ("photo.jpg", sent)), id="csam-1", tenant="acme")

    decision = decider.decide(event)

    assert decision.action == "block"
    assert decision.verdict is not None
    violated = {c.clause for c in decision.verdict.violated}
    assert "illegal-harmful" in violated and "adult-content" not in violated
    signal = next(sg for sg in decision.verdict.signals if sg.name == "CSAM_HASH_MATCH")
    assert signal.deterministic and all(e.excerpt == "" for e in signal.evidence)
    with site.store.read() as s:
        status = s.execute(select(StatusRow).where(StatusRow.tenant_id == "acme")).scalars().all()
        assert any(r.state == "suspended" for r in status), [(r.scope, r.state) for r in status]
        case = s.execute(select(Case).where(Case.clause == "illegal-harmful")).scalar_one()
        assert case.legal_hold and case.needs_fast_review
        kinds = {
            i.kind for i in s.execute(select(CaseItem).where(CaseItem.case_id == case.id)).scalars()
        }
        assert "legal_report" in kinds
        topics = {m.topic for m in s.execute(select(OutboxMessage)).scalars()}
        assert "legal-report" in topics
        held = s.execute(select(HeldEvidence)).scalar_one()
        assert held.legal_hold and held.case_id == case.id
        assert held.data != sent and media_of(held, site.settings) == sent  # encrypted at rest
    # The next event of the suspended tenant is refused without a look at its content.
    refused = decider.decide(replace(mail("hello"), id="after-1", tenant="acme"))
    assert refused.action == "block" and "suspended" in refused.reason

    client = site.client()
    csrf = site.login(client, "rita")
    page = client.get(f"/console/cases/{case.id}").text
    assert "Legal hold" in page and "thumb.png" in page
    assert "Reveal original" not in page
    verdict_ids = re.findall(r"/reveal/(\d+)", page)
    assert not verdict_ids
    from aupguard.store.models import VerdictRecord

    with site.store.read() as s:
        row = s.execute(
            select(VerdictRecord).where(VerdictRecord.event_id == "csam-1")
        ).scalar_one()
    r = client.post(f"/console/cases/{case.id}/reveal/{row.id}", data={"csrf": csrf})
    assert r.status_code == 403

    thumb = client.get(f"/console/cases/{case.id}/evidence/{held.id}/thumb.png")
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/png"
    assert sent not in thumb.content
    shown = Image.open(io.BytesIO(thumb.content))
    assert max(shown.size) <= 256
    # Blurred beyond recognition: its PDQ is far from the listed one (a match is <= 31).
    shown_pdq = hashes_of(thumb.content, is_image=True)
    if shown_pdq.pdq:
        distance = (int(shown_pdq.pdq, 16) ^ int(listed.pdq, 16)).bit_count()
        assert distance > 31 or shown_pdq.pdq_quality < 50
    # Viewers do not see media at all.
    viewer = site.client()
    site.login(viewer, "vic")
    assert viewer.get(f"/console/cases/{case.id}/evidence/{held.id}/thumb.png").status_code == 403
