"""Legacy X-ARF JSON (Abusix lineage: Version 1, 2, 3, alpha, development) to v4 terms."""

from __future__ import annotations

from typing import Any

from aupguard.errors import Rejection
from aupguard.reports import xarf_schema
from aupguard.reports.evidence import XarfFacts
from aupguard.reports.keys import domain_of, parse_time
from aupguard.reports.model import Reporter

# Legacy ReportType -> v4 category/type where v4 has the same thing; the rest keep a
# legacy mapping key ("xarf-legacy:<type>") so the ruleset can still map them.
TO_V4: dict[str, str] = {
    "spam": "messaging/spam",
    "phishing": "content/phishing",
    "malware": "content/malware",
    "botnet": "infrastructure/botnet",
    "dos": "connection/ddos",
    "ddos": "connection/ddos",
    "portscan": "connection/port_scan",
    "loginattack": "connection/login_attack",
    "openservice": "vulnerability/open_service",
    "copyright": "copyright/copyright",
    "trademark": "content/brand_infringement",
    "childabuse": "content/csam",
    "childsexualabusematerial": "content/csam",
    "webcrawler": "connection/scraping",
}
_URL_FIELDS = ("SourceUrl", "InfringingUrl", "Url", "Urls")
_DOMAIN_FIELDS = ("RpzDomain", "SourceDomain", "Domain")
_ADDRESS_FIELDS = ("SmtpMailFromAddress", "FromAddress")


def facts(value: dict[str, Any]) -> XarfFacts:
    version = value.get("Version", "alpha")  # the alpha drafts had no Version field
    if not isinstance(version, str) or version not in xarf_schema.LEGACY_VERSIONS:
        raise Rejection(
            "Version",
            f"{str(version)[:20]!r} is not a known X-ARF version "
            f"(legacy: {', '.join(xarf_schema.LEGACY_VERSIONS)}; v4 reports use xarf_version)",
        )
    _validate(value, version)
    report: dict[str, Any] = value["Report"]
    info: dict[str, Any] = value.get("ReporterInfo") or {}
    report_type = str(report.get("ReportType", ""))
    v4 = TO_V4.get(report_type.lower())
    key = f"xarf:{v4}" if v4 else f"xarf-legacy:{report_type.lower()}"
    samples = tuple(
        (str(s.get("ContentType", "")), str(s.get("Payload", "")), bool(s.get("Base64Encoded")))
        for s in report.get("Samples") or []
        if isinstance(s, dict)
    )
    return XarfFacts(
        mapping_key=key,
        reporter=Reporter(
            address=_first(info, "ReporterOrgEmail", "ReporterContactEmail"),
            name=info.get("ReporterContactName"),
            org=info.get("ReporterOrg"),
            domain=domain_of(info.get("ReporterOrgDomain")),
        ),
        incident_time=parse_time(str(report.get("Date") or "")),
        report_id=None,
        source=str(report.get("SourceIp") or report.get("AttackerIp") or "") or None,
        source_port=report.get("SourcePort") if isinstance(report.get("SourcePort"), int) else None,
        urls=tuple(_strings(report, _URL_FIELDS)),
        domains=tuple(_strings(report, _DOMAIN_FIELDS)),
        addresses=tuple(_strings(report, _ADDRESS_FIELDS)),
        samples=samples,
        description=str(report.get("Description") or ""),
        notes=(f"legacy X-ARF version {version} ({report_type}) read as {key}",),
    )


def _validate(value: dict[str, Any], version: str) -> None:
    """Valid for the version's schema, which is a oneOf over per-type schemas: only the
    schemas whose ReportType enum holds the report's type can match, so checking those
    alone decides validity (exactly one must pass) and is ten times cheaper."""
    report = value.get("Report")
    if not isinstance(report, dict):
        raise Rejection(
            "Report", "is required but missing" if report is None else "is not an object"
        )
    report_type = report.get("ReportType")
    if report_type is None:
        raise Rejection("Report.ReportType", "is required but missing")
    if not isinstance(report_type, str):
        raise Rejection("Report.ReportType", f"{str(report_type)[:40]} is not a string")
    typed = xarf_schema.legacy_type_validators(version, report_type)
    if not typed:
        known = ", ".join(xarf_schema.legacy_types(version))
        raise Rejection(
            "Report.ReportType",
            f"{report_type[:40]!r} is not a report type of version {version} (known: {known})",
        )
    problems = [xarf_schema.problem(v, value) for v in typed]
    passing = sum(1 for p in problems if p is None)
    if passing == 1:
        return
    if passing > 1:
        raise Rejection("Report", f"matches {passing} {report_type} schemas of version {version}")
    # The schema the report is closest to: the one it breaks deepest in the tree.
    field, reason = max((p for p in problems if p), key=lambda p: p[0].count("."))
    raise Rejection(field, reason)


def _first(info: dict[str, Any], *names: str) -> str | None:
    for name in names:
        if isinstance(info.get(name), str) and info[name]:
            return str(info[name]).lower()
    return None


def _strings(report: dict[str, Any], names: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for name in names:
        value = report.get(name)
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, list):
            out.extend(str(v) for v in value if isinstance(v, str))
    return out
