"""Origin forgery on SMS sender IDs, caller IDs (with STIR/SHAKEN) and network flows."""

from __future__ import annotations

import pytest

from aupguard.detectors.context import Context
from aupguard.events.model import Direction
from aupguard.rules.model import Action
from tests.detectors.origin_samples import CTX, call, engine, flow, origin, sms

ENGINE = engine()


@pytest.mark.parametrize(
    ("sender_id", "expected"),
    [
        ("GLOBEX", {"SENDER_ID_NOT_OWNED", "SENDER_ID_OTHER_TENANT"}),
        ("+1 555 010 0002", {"SENDER_ID_NOT_OWNED", "SENDER_ID_OTHER_TENANT"}),
        ("PayPal", {"SENDER_ID_NOT_OWNED", "SENDER_ID_BRAND"}),
        ("HSBCUK", {"SENDER_ID_NOT_OWNED", "SENDER_ID_BRAND"}),
        ("DEALS4U", {"SENDER_ID_NOT_OWNED"}),
    ],
)
def test_foreign_sender_ids_are_flagged(sender_id: str, expected: set[str]) -> None:
    action, counted = origin(ENGINE.evaluate(sms(sender_id), CTX).verdict)
    assert expected <= counted and action >= Action.FLAG


@pytest.mark.parametrize("sender_id", ["ACME", "acme", "+15550100001", "+1 (555) 010-0001"])
def test_registered_sender_ids_pass(sender_id: str) -> None:
    assert origin(ENGINE.evaluate(sms(sender_id), CTX).verdict) == (Action.ALLOW, set())


def test_brand_sender_id_without_a_directory() -> None:
    action, counted = origin(ENGINE.evaluate(sms("Amazon", tenant=None), Context()).verdict)
    assert counted == {"SENDER_ID_BRAND"} and action >= Action.FLAG


@pytest.mark.parametrize(
    ("caller", "attestation", "expected", "minimum"),
    [
        ("+1 555 010 7777", None, {"CALLER_ID_NOT_OWNED"}, Action.FLAG),
        (
            "+1 555 010 7777",
            "C",
            {"CALLER_ID_NOT_OWNED", "ATTESTATION_C", "UNREGISTERED_UNATTESTED_CALLER"},
            Action.HOLD,
        ),
        ("+15550100002", "A", {"CALLER_ID_NOT_OWNED", "CALLER_ID_OTHER_TENANT"}, Action.HOLD),
        ("12AB", None, {"CALLER_ID_INVALID", "CALLER_ID_NOT_OWNED"}, Action.FLAG),
    ],
    ids=["unregistered", "unregistered-gateway-attested", "other-tenant", "malformed"],
)
def test_unregistered_caller_ids_are_flagged(
    caller: str, attestation: str | None, expected: set[str], minimum: Action
) -> None:
    action, counted = origin(ENGINE.evaluate(call(caller, attestation), CTX).verdict)
    assert expected <= counted and action >= minimum


def test_registered_caller_passes_and_weak_attestation_alone_does_not_flag() -> None:
    assert origin(ENGINE.evaluate(call("+15550100001", "A"), CTX).verdict) == (Action.ALLOW, set())
    action, counted = origin(ENGINE.evaluate(call("+15550100001", "C"), CTX).verdict)
    assert counted == {"ATTESTATION_C"} and action is Action.ALLOW


def test_inbound_calls_are_not_judged_for_caller_id() -> None:
    from dataclasses import replace

    event = call("+1 555 010 7777")
    record = replace(event.content, direction=Direction.INBOUND)  # type: ignore[type-var]
    assert origin(ENGINE.evaluate(replace(event, content=record), CTX).verdict)[1] == set()


def test_flow_log_with_spoofed_sources_is_flagged() -> None:
    log = {
        "198.51.100.7": set(),  # the tenant's own range
        "203.0.113.9": {"FLOW_SOURCE_NOT_ASSIGNED", "FLOW_SOURCE_OTHER_TENANT"},
        "100.64.3.3": {"FLOW_SOURCE_NOT_ASSIGNED"},
        "127.0.0.1": {"FLOW_SOURCE_MARTIAN", "FLOW_SOURCE_NOT_ASSIGNED"},
        "0.0.0.0": {"FLOW_SOURCE_MARTIAN", "FLOW_SOURCE_NOT_ASSIGNED"},
        "not-an-ip": {"FLOW_SOURCE_MARTIAN"},
    }
    for src, expected in log.items():
        action, counted = origin(ENGINE.evaluate(flow(src), CTX).verdict)
        assert counted == expected, src
        assert (action >= Action.FLAG) == bool(expected), src


def test_flow_workload_ranges() -> None:
    # Tenant-wide ranges hold for every workload; a workload's range only for that workload.
    inside, outside = flow("192.0.2.10", workload="web"), flow("192.0.2.10", workload="db")
    assert origin(ENGINE.evaluate(inside, CTX).verdict)[1] == set()
    assert origin(ENGINE.evaluate(flow("198.51.100.7", workload="web"), CTX).verdict)[1] == set()
    assert origin(ENGINE.evaluate(outside, CTX).verdict)[1] == {"FLOW_SOURCE_NOT_ASSIGNED"}


def test_flows_without_tenant_data_only_catch_martians() -> None:
    assert origin(ENGINE.evaluate(flow("203.0.113.9", tenant=None), Context()).verdict)[1] == set()
    assert origin(ENGINE.evaluate(flow("224.0.0.1", tenant=None), Context()).verdict)[1] == {
        "FLOW_SOURCE_MARTIAN"
    }
