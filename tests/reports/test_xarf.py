"""X-ARF: every v4 sample accepted and mapped; legacy samples validated; invalid ones named."""

from __future__ import annotations

import json

import pytest

from aupguard.errors import Rejection
from aupguard.reports import xarf_schema
from aupguard.reports.model import ReportKind
from aupguard.reports.xarf import parse_xarf
from tests.conftest import Golden, corpus
from tests.reports.helpers import context

# The clause each X-ARF v4 category/type counts against (rules.yaml report_mapping);
# None: the report goes to triage (the tenant is the exposed party, not the abuser).
V4_EXPECTED = {
    "connection/ddos": "illegal-harmful",
    "connection/infected_host": "malware",
    "connection/login_attack": "unauthorized-access",
    "connection/port_scan": "unauthorized-access",
    "connection/reconnaissance": "unauthorized-access",
    "connection/scraping": "unauthorized-access",
    "connection/sql_injection": "unauthorized-access",
    "connection/vulnerability_scan": "unauthorized-access",
    "content/brand_infringement": "ip-infringement",
    "content/csam": "illegal-harmful",
    "content/csem": "illegal-harmful",
    "content/exposed_data": None,
    "content/fraud": "illegal-harmful",
    "content/malware": "malware",
    "content/phishing": "phishing",
    "content/remote_compromise": "malware",
    "content/suspicious_registration": "phishing",
    "copyright/copyright": "ip-infringement",
    "copyright/cyberlocker": "ip-infringement",
    "copyright/link_site": "ip-infringement",
    "copyright/p2p": "ip-infringement",
    "copyright/ugc_platform": "ip-infringement",
    "copyright/usenet": "ip-infringement",
    "infrastructure/botnet": "malware",
    "infrastructure/compromised_server": "malware",
    "messaging/bulk_messaging": "message-abuse",
    "messaging/spam": "message-abuse",
    "reputation/blocklist": "illegal-harmful",
    "reputation/threat_intelligence": "illegal-harmful",
    "vulnerability/cve": None,
    "vulnerability/misconfiguration": None,
    "vulnerability/open_service": None,
}


def test_bundled_v4_schemas_are_the_4_2_specification() -> None:
    assert xarf_schema.v4_spec_version().startswith("v4.2")


@pytest.mark.corpora
def test_every_v4_sample_is_accepted_and_mapped_to_its_clause() -> None:
    files = sorted((corpus("xarf-v4-spec-samples") / "samples" / "v4").glob("*.json"))
    assert len(files) == 32
    seen = set()
    for path in files:
        report = parse_xarf(path.read_bytes(), context())
        kind = report.mapping_key.removeprefix("xarf:") if report.mapping_key else ""
        assert kind in V4_EXPECTED, path.name
        assert report.clause == V4_EXPECTED[kind], path.name
        assert report.kind is ReportKind.XARF and report.incident_time is not None
        assert report.reporter.domain and (report.keys.sending_ips or report.keys.domains)
        seen.add(kind)
    assert seen == set(V4_EXPECTED)


@pytest.mark.corpora
def test_v3_samples_are_converted_or_rejected_with_the_v4_field() -> None:
    folder = corpus("xarf-v4-spec-samples") / "samples" / "v3"
    for name, clause in (("spam", "message-abuse"), ("phishing", "phishing")):
        report = parse_xarf((folder / f"{name}_v3_sample.json").read_bytes(), context())
        assert report.clause == clause and "converted from X-ARF v3" in report.notes
    with pytest.raises(Rejection) as info:
        parse_xarf((folder / "botnet_v3_sample.json").read_bytes(), context())
    assert info.value.field == "compromise_evidence"  # v4 requires it, v3 cannot carry it
    with pytest.raises(Rejection) as info:
        parse_xarf((folder / "ddos_v3_sample.json").read_bytes(), context())
    assert "protocol" in info.value.reason


@pytest.mark.corpora
def test_every_valid_abusix_sample_is_accepted() -> None:
    files = sorted((corpus("xarf-abusix-samples") / "samples" / "positive").rglob("*.json"))
    assert len(files) == 102
    for path in files:
        report = parse_xarf(path.read_bytes(), context())
        assert report.mapping_key and report.mapping_key.startswith(("xarf:", "xarf-legacy:"))
    port_scan = corpus("xarf-abusix-samples") / "samples/positive/3/portscan_sample.json"
    assert parse_xarf(port_scan.read_bytes(), context()).clause == "unauthorized-access"


@pytest.mark.corpora
def test_every_invalid_abusix_sample_is_rejected_naming_the_field(golden: Golden) -> None:
    root = corpus("xarf-abusix-samples") / "samples" / "negative"
    files = sorted(root.rglob("*.json"))
    assert len(files) == 206
    lines = []
    for path in files:
        with pytest.raises(Rejection) as info:
            parse_xarf(path.read_bytes(), context())
        field = info.value.field
        assert field and field != "(report)", f"{path.name}: {info.value}"
        top = field.split(".")[0].split("[")[0]
        document = json.loads(path.read_text())
        assert top in document or info.value.reason.endswith("missing"), f"{path}: {field}"
        lines.append(f"{path.relative_to(root)}: {info.value}")
    golden.check("reports/abusix-negative-reasons.txt", "\n".join(lines) + "\n")


@pytest.mark.parametrize(
    ("text", "field"),
    [
        (b"[1, 2]", "(report)"),
        (b"{bad json", "(report)"),
        (b'{"hello": 1}', "xarf_version"),
        (b'{"Version": "9", "Report": {}}', "Version"),
        (b'{"xarf_version": "4.2.0"}', "report_id"),
        (b"[" * 100 + b"]" * 100, "(report)"),
    ],
)
def test_malformed_json_is_rejected_by_field(text: bytes, field: str) -> None:
    with pytest.raises(Rejection) as info:
        parse_xarf(text, context())
    assert info.value.field == field or info.value.field.startswith(field)


@pytest.mark.corpora
def test_spam_evidence_becomes_the_original() -> None:
    path = corpus("xarf-v4-spec-samples") / "samples/v4/messaging-spam.json"
    report = parse_xarf(path.read_bytes(), context())
    assert report.original is not None and b"Subject: Urgent" in report.original.raw
    assert "marketing@example.com" in report.keys.addresses


@pytest.mark.corpora
def test_no_invalid_abusix_sample_is_a_valid_v4_report() -> None:
    validator = xarf_schema.v4_validator()
    root = corpus("xarf-abusix-samples") / "samples" / "negative"
    valid_v4 = [
        p.name for p in root.rglob("*.json") if validator.is_valid(json.loads(p.read_text()))
    ]
    assert valid_v4 == []
