"""The public report form and the console's triage queue and reporters."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from aupguard.store.models import ReporterRow, ReportRow
from tests.web.conftest import Site

FORM = {
    "category": "message-abuse",
    "description": "I get these texts every day and never signed up.",
    "phone_numbers": "+44 20 7946 0018\n",
    "reporter_email": "me@example.org",
}


def _csrf(client: TestClient) -> str:
    page = client.get("/report")
    assert page.status_code == 200 and "Report a violation" in page.text
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


def _post(client: TestClient, **extra: str) -> tuple[int, str]:
    r = client.post("/report", data={**FORM, "csrf": _csrf(client), **extra})
    found = re.search(r'id="reference">([^<]+)<', r.text)
    return r.status_code, found.group(1) if found else ""


def test_the_public_form_gives_a_reference_without_login(site: Site) -> None:
    c = site.client()
    status, ref = _post(c)
    assert status == 200 and ref.startswith("rpt-")
    with site.store.read() as s:
        row = s.execute(select(ReportRow).where(ReportRow.reference == ref)).scalar_one()
        assert (row.kind, row.channel, row.state) == ("form", "form", "triage")
        assert row.reporter_address == "me@example.org" and row.keys["phones"] == ["+442079460018"]
    status, ref = _post(c, description="short")
    assert status == 422 and ref.startswith("rej-")
    r = c.post("/report", data={**FORM, "csrf": "forged"})
    assert r.status_code == 403 and "CSRF" in r.text


def test_the_form_is_rate_limited_per_source_ip(site: Site) -> None:
    c = site.client()
    codes = [_post(c, description=f"report number {n} about spam")[0] for n in range(6)]
    assert codes == [200] * 5 + [429]


def test_triage_in_the_console(site: Site) -> None:
    h = {"Authorization": f"Bearer {site.admin_key}"}
    site.client().post("/v1/tenants", json={"id": "acme", "name": "Acme"}, headers=h)
    c = site.client()
    refs = [_post(c, description=f"flood message number {n} here")[1] for n in range(3)]
    viewer = site.client()
    csrf = site.login(viewer, "vic")
    page = viewer.get("/console/triage").text
    assert all(ref in page for ref in refs) and "address:me@example.org" in page
    assert (
        viewer.post(
            f"/console/reports/{refs[0]}/void", data={"csrf": csrf, "reason": "nope"}
        ).status_code
        == 403
    )
    reviewer = site.client()
    csrf = site.login(reviewer, "rita")
    r = reviewer.post(
        f"/console/reports/{refs[0]}/resolve",
        data={"csrf": csrf, "tenant": "acme", "clause": "message-abuse"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    detail = reviewer.get(f"/console/reports/{refs[0]}").text
    assert "resolved" in detail and "AUP-000001" in detail and "me@example.org" in detail
    case = reviewer.get("/console/cases/1").text
    assert f'href="/console/reports/{refs[0]}"' in case and "me@example.org" not in case
    with site.store.read() as s:
        reporter = s.execute(select(ReporterRow)).scalar_one()
    void = {"csrf": csrf, "reason": "bad faith flood", "mute": "yes"}
    url = f"/console/reporters/{reporter.id}/void"
    assert reviewer.post(url, data=void).status_code == 403  # admins only
    admin = site.client()
    void["csrf"] = site.login(admin, "ada")
    r = admin.post(url, data=void)
    assert r.status_code == 200 and "3 reports voided" in r.text and "muted" in r.text
    assert "No reports match" in admin.get("/console/triage").text
    tenant = admin.get("/console/tenants/acme").text
    assert "Complaint and bounce rates" in tenant
