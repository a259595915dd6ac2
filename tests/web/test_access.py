"""Access rules: public pages only without login; roles; CSRF; signed, expiring tenant links."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest

from aupguard.detectors.eicar import EICAR
from aupguard.tenantlinks import tenant_link, tenant_of
from tests.web.conftest import Site

PUBLIC = [
    "/",
    "/aup/history",
    "/report",
    "/login",
    "/healthz",
    "/openapi.json",
    "/static/console.css",
]
PRIVATE = [
    "/console",
    "/console/cases/1",
    "/console/tenants",
    "/console/tenants/acme",
    "/console/ruleset",
    "/console/dashboard",
]


def endpoints(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, set[str]]]:
    """(path, methods) of every endpoint: recent FastAPI keeps included routers whole."""
    for route in routes:
        if hasattr(route, "original_router"):
            inner = prefix + getattr(getattr(route, "include_context", None), "prefix", "")
            yield from endpoints(route.original_router.routes, inner)
        elif getattr(route, "methods", None):
            yield prefix + route.path, set(route.methods)


def seed_case(site: Site) -> None:
    c = site.client()
    h = {"Authorization": f"Bearer {site.admin_key}"}
    assert c.post("/v1/tenants", json={"id": "acme", "name": "Acme"}, headers=h).status_code == 201
    c.post(
        "/v1/decide", json={"channel": "sms", "tenant": "acme", "text": EICAR.decode()}, headers=h
    )


def test_only_public_pages_without_login(site: Site) -> None:
    seed_case(site)
    c = site.client()
    for path in PUBLIC:
        assert c.get(path).status_code == 200, path
    for path in PRIVATE:
        r = c.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/login", path
    listed = [p for p, _ in endpoints(site.app.routes) if "{" not in p]  # type: ignore[attr-defined]
    private = [p for p in listed if p.startswith(("/console", "/v1/cases", "/v1/tenants"))]
    assert len(private) >= 8, listed  # the walk must see the included routers
    for path in private:
        r = c.get(path, follow_redirects=False)
        assert r.status_code in (303, 401, 405), path


def test_viewer_cannot_act_reviewer_can(site: Site) -> None:
    seed_case(site)
    viewer = site.client()
    csrf = site.login(viewer, "vic")
    page = viewer.get("/console/cases/1").text
    assert "Viewers cannot act" in page and "Reveal original" not in page
    r = viewer.post(
        "/console/cases/1/act",
        data={"csrf": csrf, "kind": "warn", "reason": "test", "confirm": "yes"},
    )
    assert r.status_code == 403 and "may not do this" in r.text
    reviewer = site.client()
    csrf = site.login(reviewer, "rita")
    r = reviewer.post(
        "/console/cases/1/act",
        data={"csrf": csrf, "kind": "warn", "reason": "first warning", "confirm": "yes"},
        follow_redirects=False,
    )
    assert r.status_code == 303


def test_form_posts_without_csrf_are_refused(site: Site) -> None:
    seed_case(site)
    c = site.client()
    site.login(c, "rita")
    for path, data in (
        ("/console/cases/1/act", {"kind": "warn", "reason": "x" * 5, "confirm": "yes"}),
        ("/console/cases/1/note", {"text": "hello"}),
        ("/logout", {}),
    ):
        r = c.post(path, data={**data, "csrf": "wrong"})
        assert r.status_code == 403 and "CSRF" in r.text, path
        missing = c.post(path, data=data)
        assert missing.status_code in (403, 422), path
    login_page = site.client()
    r = login_page.post("/login", data={"username": "rita", "password": "x" * 12, "csrf": "forged"})
    assert r.status_code == 403


def test_reporter_key_cannot_read_cases(site: Site) -> None:
    from aupguard.api.security import create_key

    with site.store.write() as s:
        reporter = create_key(s, "feedback-loop", ["reporter"])
    r = site.client().get("/v1/cases", headers={"Authorization": f"Bearer {reporter}"})
    assert r.status_code == 403


def test_tenant_link_signed_and_expiring(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    seed_case(site)
    link = tenant_link(site.settings, "acme")
    token = link.rsplit("/", 1)[1]
    c = site.client()
    assert c.get(f"/t/{token}").status_code == 200
    assert c.get(f"/t/{token[:-2]}xx").status_code == 403
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 15 * 86_400)
    assert tenant_of(site.settings, token) is None
    r = c.get(f"/t/{token}")
    assert r.status_code == 403 and "expired" in r.text
    monkeypatch.setattr(time, "time", real)
    r = c.post(f"/t/{token}/appeal", data={"action_id": 1, "statement": "please"})
    assert r.status_code == 403 and "CSRF" in r.text


# Reachable by anyone: the public pages, health and the API's description.
OPEN = {
    "/",
    "/aup/history",
    "/login",
    "/healthz",
    "/openapi.json",
    "/docs",
    "/docs/oauth2-redirect",
    "/redoc",
    "/v1/aup",
    "/v1/aup/versions",
    "/report",  # the public report-a-violation form (anyone can report)
}


# A well-formed form for every page's POST: what refuses it must be the missing access.
FORM = {"version": "1.0", "action_id": "1", "statement": "please", "csrf": "forged"}


def test_every_route_needs_a_session_a_key_or_a_signed_link(site: Site) -> None:
    """Every route and method the app has, called by a stranger (no cookie, key or valid
    link), so a route added later cannot be left open by mistake."""
    seed_case(site)
    c = site.client()
    checked = 0
    for path, methods in endpoints(site.app.routes):  # type: ignore[attr-defined]
        if path in OPEN:
            continue
        url = re.sub(r"\{[^}]+\}", "1", path)
        for method in sorted(methods - {"HEAD"}):
            form = FORM if method == "POST" and not path.startswith("/v1/") else None
            r = c.request(method, url, data=form, follow_redirects=False)
            if path.startswith("/v1/") or path == "/metrics":  # Prometheus has a token
                assert r.status_code == 401, (method, path, r.status_code)
            elif path.startswith("/t/"):
                assert r.status_code == 403 and "invalid" in r.text, (method, path)
            else:
                assert r.status_code == 303, (method, path, r.status_code)
                assert r.headers["location"] == "/login", (method, path)
            checked += 1
    assert checked > 40
