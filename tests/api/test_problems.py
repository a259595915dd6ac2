"""Problem details everywhere (routing and parse errors too), and the contract says so."""

from __future__ import annotations

from tests.api.conftest import Api


def test_routing_and_parse_errors_are_problems(api: Api) -> None:
    r = api.client.request("PUT", "/v1/tenants", headers=api.h("admin"))
    assert r.status_code == 405 and r.headers["content-type"] == "application/problem+json"
    assert r.headers["allow"] == "GET, POST", r.headers["allow"]
    assert api.client.head("/healthz").status_code == 405  # FastAPI routes take no HEAD
    r = api.client.post(
        "/v1/tenants",
        content=b"\x06\xff\xfe not UTF-8",
        headers={**api.h("admin"), "Content-Type": "application/json"},
    )
    assert r.status_code == 400 and r.json()["title"] == "Bad request"
    assert r.headers["content-type"] == "application/problem+json"
    assert api.client.get("/v1/nothing-here").json()["status"] == 404


def test_ids_beyond_json_integers_are_invalid_not_server_errors(api: Api) -> None:
    big = 2**63  # overflowed SQLite's INTEGER: a 500 before
    for path in (f"/v1/cases/{big}", f"/v1/audit?after={big}", f"/v1/cases?cursor={big}"):
        r = api.client.get(path, headers=api.h("admin"))
        assert r.status_code == 422 and r.json()["errors"], path
    r = api.client.post(
        "/v1/appeals",
        json={"action_id": big, "tenant_id": "acme", "statement": "x"},
        headers=api.h("admin"),
    )
    assert r.status_code == 422


def test_contract_documents_auth_and_problems(api: Api) -> None:
    doc = api.client.get("/openapi.json").json()
    assert set(doc["components"]["securitySchemes"]) == {"HTTPBearer", "APIKeyHeader"}
    assert "HTTPValidationError" not in doc["components"]["schemas"]
    op = doc["paths"]["/v1/cases/{case_id}"]["get"]
    assert {"401", "403", "404", "422"} <= set(op["responses"])
    assert "application/problem+json" in op["responses"]["404"]["content"]
    assert "security" not in doc["paths"]["/healthz"]["get"]
    assert "401" not in doc["paths"]["/v1/aup"]["get"]["responses"]
