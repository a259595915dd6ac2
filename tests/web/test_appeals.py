"""Appeals in the console: reviewers uphold or overturn with CSRF; viewers only look."""

from __future__ import annotations

import re

from aupguard.tenantlinks import link_csrf, tenant_link
from tests.web.conftest import Site
from tests.web.test_access import seed_case


def file_appeal(site: Site) -> None:
    """The tenant (suspended automatically by the EICAR case) appeals through its link."""
    token = tenant_link(site.settings, "acme").rsplit("/", 1)[1]
    c = site.client()
    page = c.get(f"/t/{token}").text
    action_id = re.search(r'name="action_id" value="(\d+)"', page)
    assert action_id is not None, page
    r = c.post(
        f"/t/{token}/appeal",
        data={
            "action_id": action_id.group(1),
            "statement": "a test file, not malware",
            "csrf": link_csrf(site.settings, token),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303


def test_overturn_reinstates_and_is_guarded(site: Site) -> None:
    seed_case(site)
    file_appeal(site)
    viewer = site.client()
    csrf = site.login(viewer, "vic")
    listing = viewer.get("/console/appeals").text
    assert "a test file, not malware" in listing and "Overturn" not in listing
    data = {"outcome": "overturn", "reason": "EICAR is a test string"}
    r = viewer.post("/console/appeals/1/decision", data={**data, "csrf": csrf})
    assert r.status_code == 403 and "may not do this" in r.text

    reviewer = site.client()
    csrf = site.login(reviewer, "rita")
    case = reviewer.get("/console/cases/1").text
    assert 'action="/console/appeals/1/decision"' in case
    r = reviewer.post("/console/appeals/1/decision", data={**data, "csrf": "wrong"})
    assert r.status_code == 403 and "CSRF" in r.text
    r = reviewer.post(
        "/console/appeals/1/decision",
        data={**data, "csrf": csrf, "back": "https://evil.example/"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/console/appeals"
    status = site.client().get(
        "/v1/status/acme", headers={"Authorization": f"Bearer {site.admin_key}"}
    )
    assert status.json()["state"] == "active" and status.json()["may_send"] is True
    again = reviewer.post("/console/appeals/1/decision", data={**data, "csrf": csrf})
    assert again.status_code == 409 and "decided already" in again.text
    missing = reviewer.post("/console/appeals/99/decision", data={**data, "csrf": csrf})
    assert missing.status_code == 404
