"""Port scans, the sequential test and single-flow probes: what must fire and what must not."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aupguard.cli.main import app
from aupguard.rules.model import Action
from aupguard.state.memory import MemoryState
from tests.conftest import corpus
from tests.detectors.activity import (
    SCANNER,
    T0,
    benign_flows,
    flow,
    horizontal_scan,
    slow_scan,
    vertical_scan,
)
from tests.replay import fired, flagged, replay, replay_workers


def signals_by_name(evaluations: list) -> dict[str, list]:  # type: ignore[type-arg]
    out: dict[str, list] = {}  # type: ignore[type-arg]
    for e in evaluations:
        for s in e.verdict.signals:
            out.setdefault(s.name, []).append(s)
    return out


def test_vertical_scan_is_named_with_ports_and_span() -> None:
    results = replay(vertical_scan(range(1, 101)))
    names = signals_by_name(results)
    assert "PORT_SCAN_VERTICAL" in names and "PORT_SCAN_HORIZONTAL" not in names
    detail = names["PORT_SCAN_VERTICAL"][-1].evidence[0].detail
    assert "on 1 host(s)" in detail and "1-" in detail and "tenant acme" in detail
    assert results[-1].verdict.action is Action.BLOCK


def test_horizontal_scan_is_named() -> None:
    names = signals_by_name(replay(horizontal_scan(60)))
    assert "PORT_SCAN_HORIZONTAL" in names and "PORT_SCAN_VERTICAL" not in names
    assert "ports 22" in names["PORT_SCAN_HORIZONTAL"][-1].evidence[0].detail


def test_slow_scan_one_probe_a_minute_over_hours_is_caught() -> None:
    results = replay(slow_scan(180))  # three hours
    names = signals_by_name(results)
    assert "PORT_SCAN_SLOW" in names and "SCAN_TRW" in names
    assert "PORT_SCAN_VERTICAL" not in names and "PORT_SCAN_HORIZONTAL" not in names
    first_slow = next(i for i, e in enumerate(results) if "PORT_SCAN_SLOW" in fired([e]))
    assert first_slow == 30  # after 30 failed targets
    assert "over 30m" in names["PORT_SCAN_SLOW"][0].evidence[0].detail


def test_slow_scan_split_over_two_workers_sharing_one_store() -> None:
    # With the Redis backend, pass two clients of the same Redis instead.
    shared = MemoryState()
    results = replay_workers(slow_scan(120), [shared, shared])
    names = fired(results)
    assert {"PORT_SCAN_SLOW", "SCAN_TRW"} <= names
    assert next(i for i, e in enumerate(results) if "PORT_SCAN_SLOW" in fired([e])) == 30


def test_benign_workload_with_timeouts_and_new_partners_is_never_flagged() -> None:
    results = replay(benign_flows(5000))
    assert flagged(results) == []


def test_trw_mixed_successes_keep_the_walk_down() -> None:
    # A client whose first contacts fail one time in three is not a scanner.
    events = []
    for i in range(300):
        state = "S0" if i % 3 == 0 else "SF"
        events.append(
            flow(
                i,
                f"10.1.{i // 200}.{i % 200}",
                443,
                state,
                T0 + timedelta(seconds=i),
                data=0 if state == "S0" else 500,
                flags="S" if state == "S0" else "ShADadFf",
            )
        )
    assert "SCAN_TRW" not in fired(replay(events))


def test_trw_counts_first_contacts_only_and_fires_on_the_fourth_failure() -> None:
    dead = [
        flow(i, "203.0.113.1", 443, "S0", T0 + timedelta(seconds=i), flags="S") for i in range(10)
    ]
    fresh = [
        flow(20 + i, f"203.0.113.{i + 10}", 443, "S0", T0 + timedelta(seconds=20 + i), flags="S")
        for i in range(4)
    ]
    results = replay(dead + fresh)
    hits = [i for i, e in enumerate(results) if "SCAN_TRW" in fired([e])]
    assert hits == [12, 13]  # retries of one dead service are one trial; then 3 more failures


def test_stealth_flags_fire_deterministically() -> None:
    ev = flow(1, "203.0.113.9", 80, "OTH", T0, src=SCANNER, flags="X")
    (result,) = replay([ev])
    (sig,) = result.verdict.signals
    assert (
        sig.name == "SCAN_STEALTH_PROBE" and sig.deterministic and "Xmas" in sig.evidence[0].detail
    )


def test_one_aborted_handshake_is_not_a_probe_but_two_ports_are() -> None:
    race = flow(1, "203.0.113.9", 443, "RSTO", T0, flags="ShR")
    assert fired(replay([race])) == set()
    other = flow(2, "203.0.113.9", 80, "RSTO", T0 + timedelta(seconds=1), flags="ShAR")
    assert fired(replay([race, other])) == {"SCAN_HANDSHAKE_PROBE"}


def test_evidence_is_attributed_to_tenant_and_workload() -> None:
    results = replay(vertical_scan(range(1, 40)))
    detail = results[-1].verdict.signals[0].evidence[0].detail
    assert "tenant acme, workload crm-sync" in detail


EXPECTED = {
    "nmap_80_vanilla.pcap": "SCAN_HANDSHAKE_PROBE",
    "nmap_80_w_service_detection.pcap": "SCAN_HANDSHAKE_PROBE",
    "nmap_80_all.pcap": "SCAN_HANDSHAKE_PROBE",
    "tcp_0_1000_20190821.pcap": "PORT_SCAN_VERTICAL",
    "udp_0_1000_20190821.pcap": "PORT_SCAN_VERTICAL",
}


@pytest.mark.corpora
def test_every_esnet_scan_capture_is_flagged_with_its_type_and_whois_is_not() -> None:
    root = corpus("scan-pcaps-esnet")
    result = CliRunner().invoke(app, ["scan", str(root), "-f", "json", "--fail-on", "never"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    signals: dict[str, set[str]] = {}
    actions: dict[str, set[str]] = {}
    for row in doc["results"]:
        name = row["source"].split("#")[0].rsplit("/", 1)[-1]
        signals.setdefault(name, set()).update(row["signals"])
        actions.setdefault(name, set()).add(row["action"])
    for name, signal in EXPECTED.items():
        assert signal in signals[name], (name, signals[name])
        assert actions[name] - {"allow"}, name
    assert signals["whois.pcap"] == set() and actions["whois.pcap"] == {"allow"}


@pytest.mark.corpora
def test_without_rollup_a_scan_capture_is_only_single_flow_evidence() -> None:
    pcap = (
        corpus("scan-pcaps-esnet") / "attacks" / "scanners" / "masscan" / "tcp_0_1000_20190821.pcap"
    )
    result = CliRunner().invoke(
        app, ["scan", str(pcap), "-f", "json", "--rollup", "none", "--fail-on", "never"]
    )
    doc = json.loads(result.stdout)
    assert doc["summary"]["events"] == 1001 and doc["summary"]["actions"] == {"allow": 1001}


def test_zeek_conn_log_scan_through_the_cli(tmp_path: Path) -> None:
    head = (
        "#separator \\x09\n#path\tconn\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h"
        "\tid.resp_p\tproto\tconn_state\thistory\torig_bytes\tresp_bytes\n"
    )
    rows = "".join(
        f"{1.7e9 + i}\tC{i}\t198.51.100.66\t40000\t203.0.113.5\t{i + 1}\ttcp\tREJ\tSr\t0\t0\n"
        for i in range(40)
    )
    (tmp_path / "conn.log").write_text(head + rows)
    result = CliRunner().invoke(
        app, ["scan", str(tmp_path / "conn.log"), "-f", "jsonl", "--fail-on", "never"]
    )
    last = json.loads(result.stdout.splitlines()[-1])
    assert "PORT_SCAN_VERTICAL" in last["signals"] and last["action"] != "allow"


@pytest.mark.redis
def test_slow_scan_over_two_workers_with_two_redis_clients() -> None:
    """The same slow scan, the workers each with their own client of one real Redis."""
    import uuid

    from tests.state.conftest import drop_prefix, redis_state

    prefix = f"test:{uuid.uuid4().hex[:12]}:"
    first, second = redis_state(prefix), redis_state(prefix)
    try:
        results = replay_workers(slow_scan(120), [first, second])
        assert {"PORT_SCAN_SLOW", "SCAN_TRW"} <= fired(results)
        assert next(i for i, e in enumerate(results) if "PORT_SCAN_SLOW" in fired([e])) == 30
    finally:
        drop_prefix(first)
