"""The HTTP API: decide on every channel, status, scopes, problems, limits, pagination."""

from __future__ import annotations

from aupguard.detectors.eicar import EICAR
from tests.api.conftest import Api
from tests.conftest import FIXTURES


def make_tenant(api: Api, tenant: str = "acme") -> None:
    r = api.client.post(
        "/v1/tenants", json={"id": tenant, "name": tenant.title()}, headers=api.h("admin")
    )
    assert r.status_code == 201, r.text
    for kind, value in (("domain", f"{tenant}-dental.example"), ("number", "+15550100001")):
        ident = api.client.post(
            f"/v1/tenants/{tenant}/identities",
            headers=api.h("admin"),
            json={"kind": kind, "value": value},
        )
        if ident.status_code != 201:
            continue  # the number belongs to the first tenant only
        with api.store.write() as s:  # domain proof needs DNS; tests record it as proven
            from datetime import UTC, datetime

            from aupguard.store.models import IdentityRow

            row = s.get(IdentityRow, ident.json()["id"])
            assert row is not None
            row.proof, row.verified_at = "test", datetime.now(UTC)
    api.client.app.state.services.decider.reload()  # type: ignore[attr-defined]


def test_decide_json_email_batch_and_status(api: Api) -> None:
    make_tenant(api)
    ok = api.client.post(
        "/v1/decide",
        json={"channel": "sms", "tenant": "acme", "text": "hi"},
        headers=api.h("decide"),
    )
    assert ok.json()["action"] == "allow" and ok.json()["feedback_token"].startswith("agf1-")
    raw = (FIXTURES / "mail" / "plain.eml").read_bytes()
    mail = api.client.post(
        "/v1/decide/email?tenant=acme&id=m1",
        content=raw,
        headers={**api.h("decide"), "Content-Type": "message/rfc822"},
    )
    assert mail.json()["event_id"] == "m1" and mail.json()["action"] == "allow"
    batch = api.client.post(
        "/v1/decide/batch",
        headers=api.h("decide"),
        json=[
            {
                "channel": "call",
                "tenant": "acme",
                "caller": "+15550100001",
                "callee": "+15550100002",
            },
            {"id": "bad1", "channel": "sms", "tenant": "acme", "text": EICAR.decode()},
        ],
    )
    assert [d["action"] for d in batch.json()["decisions"]] == ["allow", "block"]
    status = api.client.get("/v1/status/acme?channel=sms", headers=api.h("decide")).json()
    assert status["may_send"] is False and status["state"] == "suspended"
    assert status["case_ref"] == "AUP-000001"
    refused = api.client.post(
        "/v1/decide",
        json={"channel": "sms", "tenant": "acme", "text": "hi again"},
        headers=api.h("decide"),
    ).json()
    assert refused["action"] == "block" and "AUP-000001" in refused["reason"]


def test_scopes_and_problem_details(api: Api) -> None:
    assert api.client.get("/v1/cases").status_code == 401
    r = api.client.get("/v1/cases", headers=api.h("reporter"))
    assert r.status_code == 403 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["title"] == "Forbidden" and "admin" in r.json()["detail"]
    assert api.client.get("/v1/cases", headers=api.h("decide")).status_code == 403
    assert api.client.get("/v1/cases", headers=api.h("admin")).status_code == 200
    bad = api.client.post(
        "/v1/decide", json={"channel": "sms", "colour": 1}, headers=api.h("decide")
    )
    assert bad.status_code == 422 and "colour" in bad.json()["detail"]
    missing = api.client.get("/v1/cases/999", headers=api.h("admin"))
    assert missing.status_code == 404 and missing.json()["status"] == 404


def test_request_size_limit(api: Api) -> None:
    big = b"x" * (27 * 1024 * 1024)
    r = api.client.post("/v1/decide/email", content=big, headers=api.h("decide"))
    assert r.status_code == 413 and r.json()["title"] == "Payload too large"


def test_cases_pagination_actions_appeals(api: Api) -> None:
    for t in ("t1", "t2", "t3"):
        make_tenant(api, t)
        api.client.post(
            "/v1/decide",
            json={"channel": "sms", "tenant": t, "text": EICAR.decode()},
            headers=api.h("decide"),
        )
    page = api.client.get("/v1/cases?limit=2", headers=api.h("admin")).json()
    assert len(page["items"]) == 2 and page["next_cursor"] == "2"
    rest = api.client.get("/v1/cases?limit=2&cursor=2", headers=api.h("admin")).json()
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    case = api.client.get("/v1/cases/1", headers=api.h("admin")).json()
    suspend = next(a for a in case["actions"] if a["kind"] == "suspend")
    appeal = api.client.post(
        "/v1/appeals",
        headers=api.h("admin"),
        json={"action_id": suspend["id"], "tenant_id": case["tenant_id"], "statement": "AV test"},
    ).json()
    decided = api.client.post(
        f"/v1/appeals/{appeal['id']}/decision",
        headers=api.h("admin"),
        json={"outcome": "overturn", "reason": "harmless test"},
    ).json()
    assert decided["state"] == "overturned"
    status = api.client.get(f"/v1/status/{case['tenant_id']}", headers=api.h("decide")).json()
    assert status["may_send"] is True
    term = api.client.post(
        "/v1/actions",
        headers=api.h("admin"),
        json={"tenant_id": "t2", "kind": "terminate", "reason": "repeat malware"},
    ).json()
    assert term["state"] == "pending_approval"
    same = api.client.post(f"/v1/actions/{term['id']}/approve", headers=api.h("admin"))
    assert same.status_code == 409 and "second person" in same.json()["detail"]


def test_policy_endpoints_and_shadow_draft(api: Api) -> None:
    make_tenant(api)
    api.client.post(
        "/v1/decide",
        json={"channel": "sms", "tenant": "acme", "text": EICAR.decode()},
        headers=api.h("decide"),
    )
    assert api.client.get("/v1/aup").json()["version"] == "1.0"
    assert [v["version"] for v in api.client.get("/v1/aup/versions").json()] == ["1.0"]
    from aupguard.rules.load import DEFAULT_PATH

    draft = DEFAULT_PATH.read_text().replace("EICAR: 1.0", "EICAR: 0.5")
    result = api.client.post(
        "/v1/rulesets/draft", json={"yaml": draft}, headers=api.h("admin")
    ).json()
    assert "~ clauses.malware.signals.EICAR: 1.0 -> 0.5" in result["diff"]
    assert result["evaluated"] == 1 and result["by_action"] == {"block": {"flag": 1}}
    acc = api.client.get("/v1/aup/versions/1.0/acceptances", headers=api.h("admin")).json()
    assert acc == [{"tenant_id": "acme", "how": "use", "at": acc[0]["at"]}]


def test_health_metrics_openapi(api: Api) -> None:
    assert api.client.get("/healthz").json() == {"status": "ok"}
    api.client.post("/v1/decide", json={"channel": "sms", "text": "hi"}, headers=api.h("decide"))
    assert (
        b'aupguard_decisions_total{action="allow",channel="sms"}'
        in api.client.get("/metrics", headers=api.h("admin")).content
    )
    spec = api.client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.1") and "/v1/decide/email" in spec["paths"]


def test_status_table_answers_304_until_the_version_moves(api: Api) -> None:
    make_tenant(api)
    first = api.client.get("/v1/status", headers=api.h("decide"))
    assert first.status_code == 200 and first.json()["entries"] == []
    version = first.json()["version"]
    same = api.client.get(f"/v1/status?known={version}", headers=api.h("decide"))
    assert same.status_code == 304 and same.content == b""
    assert api.client.get("/v1/status", headers={}).status_code == 401
    suspend = api.client.post(
        "/v1/actions",
        headers=api.h("admin"),
        json={"tenant_id": "acme", "kind": "suspend", "reason": "test suspension"},
    )
    assert suspend.status_code == 201, suspend.text
    moved = api.client.get(f"/v1/status?known={version}", headers=api.h("decide"))
    assert moved.status_code == 200
    body = moved.json()
    assert body["version"] > version
    assert body["entries"] == [
        {
            "tenant": "acme",
            "channel": "*",
            "identity": "*",
            "state": "suspended",
            "restriction": None,
            "case_id": None,
            "action_id": suspend.json()["id"],
        }
    ]
    again = api.client.get(f"/v1/status?known={body['version']}", headers=api.h("decide"))
    assert again.status_code == 304
    reinstate = api.client.post(
        "/v1/actions",
        headers=api.h("admin"),
        json={"tenant_id": "acme", "kind": "reinstate", "reason": "test reinstatement"},
    )
    assert reinstate.status_code == 201
    after = api.client.get(f"/v1/status?known={body['version']}", headers=api.h("decide"))
    assert after.status_code == 200 and after.json()["entries"] == []
