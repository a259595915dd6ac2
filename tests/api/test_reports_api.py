"""The report endpoints: intake with a reporter key, status for its filer, triage, reporters."""

from __future__ import annotations

from aupguard.api.security import create_key
from tests.api.conftest import Api
from tests.reports.helpers import arf_message

RAW = {"Content-Type": "message/rfc822"}


def _file(api: Api, body: bytes | dict[str, object], key: str = "reporter") -> dict[str, object]:
    if isinstance(body, bytes):
        r = api.client.post("/v1/reports", content=body, headers={**api.h(key), **RAW})
    else:
        r = api.client.post("/v1/reports", json=body, headers=api.h(key))
    assert r.status_code in (202, 422), r.text
    data: dict[str, object] = r.json()
    return data


def test_file_a_raw_arf_and_ask_its_status(api: Api) -> None:
    receipt = _file(api, arf_message())
    assert receipt["status"] == "accepted" and receipt["state"] == "triage"
    ref = receipt["reference"]
    status = api.client.get(f"/v1/reports/{ref}", headers=api.h("reporter")).json()
    assert status["state"] == "triage" and status["clause"] == "message-abuse"
    assert "tenant_id" not in status and "reporter_address" not in status
    with api.store.write() as s:
        other = create_key(s, "other reporter", ["reporter"])
    r = api.client.get(f"/v1/reports/{ref}", headers={"Authorization": f"Bearer {other}"})
    assert r.status_code == 404
    assert api.client.get(f"/v1/reports/{ref}", headers=api.h("decide")).status_code == 403
    assert api.client.post("/v1/reports", content=b"x", headers=RAW).status_code == 401
    again = _file(api, arf_message(message_id="<again@isp.example>"))
    assert again["status"] == "duplicate" and str(again["detail"]).endswith(str(ref))


def test_rejections_name_the_field_and_are_kept(api: Api) -> None:
    r = api.client.post(
        "/v1/reports", content=b'{"Version": "3", "Report": {}}', headers=api.h("reporter")
    )
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["field"] == "Report.ReportType" and problem["reference"].startswith("rej-")
    status = api.client.get(f"/v1/reports/{problem['reference']}", headers=api.h("reporter"))
    assert status.json()["state"] == "rejected"
    assert status.json()["rejection_field"] == "Report.ReportType"
    bad_form = _file(api, {"category": "message-abuse", "description": "short"})
    assert bad_form["field"] == "description"


def test_triage_resolve_void_and_reporters(api: Api) -> None:
    admin = api.h("admin")
    api.client.post("/v1/tenants", json={"id": "acme", "name": "Acme"}, headers=admin)
    submission = {
        "category": "message-abuse",
        "description": "They keep texting me offers I never asked for.",
        "phone_numbers": ["+1 555 010 0001"],
    }
    first = _file(api, submission)
    flood = [
        _file(api, {**submission, "description": f"flood report number {n}"}) for n in range(5)
    ]
    queue = api.client.get("/v1/reports", headers=admin).json()["items"]
    assert {i["reference"] for i in queue} == {first["reference"], *(f["reference"] for f in flood)}
    r = api.client.post(
        f"/v1/reports/{first['reference']}/resolve", json={"tenant": "acme"}, headers=admin
    )
    assert r.status_code == 200 and r.json()["state"] == "resolved" and r.json()["case_id"]
    r = api.client.post(
        f"/v1/reports/{first['reference']}/resolve", json={"tenant": "acme"}, headers=admin
    )
    assert r.status_code == 409
    reporters = api.client.get("/v1/reporters", headers=admin).json()["items"]
    assert len(reporters) == 1 and reporters[0]["key"].startswith("api:key:")
    r = api.client.post(
        f"/v1/reporters/{reporters[0]['id']}/void",
        json={"reason": "a flood in bad faith", "mute": True},
        headers=admin,
    )
    assert r.json() == {"reporter_id": reporters[0]["id"], "voided": 6, "muted": True}
    assert api.client.get("/v1/reports", headers=admin).json()["items"] == []
    later = _file(api, {**submission, "description": "and one more time, again"})
    assert later["state"] == "voided"
    rates = api.client.get("/v1/tenants/acme/rates", headers=admin).json()
    assert rates[0]["identity"] is None and rates[0]["sent"] == 0
    assert api.client.get("/v1/tenants/nobody/rates", headers=admin).status_code == 404
