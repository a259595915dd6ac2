"""A Report (or a refused input) as a stored row, and the row's facts read back."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from aupguard.reports.authenticate import route
from aupguard.reports.intake import RejectedInput
from aupguard.reports.model import Report, ReportKeys, SendingIp, network_of
from aupguard.reports.redact import redact_for_tenant
from aupguard.store.models import ReportRow

MAX_TENANT_COPY = 16_000  # characters of the redacted original kept for notices


def new_reference(prefix: str = "rpt") -> str:
    """`rpt-<13 base32>`: random, so a reference reveals nothing and cannot be guessed."""
    return f"{prefix}-" + base64.b32encode(secrets.token_bytes(8)).decode().rstrip("=").lower()


def is_authenticated(report: Report) -> bool:
    """An enrolled feedback loop signed it with DKIM aligned with its From domain."""
    auth = report.auth
    return bool(auth.provider and auth.aligned and auth.dkim == "pass")


def keys_json(keys: ReportKeys) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in ReportKeys.__slots__:  # type: ignore[attr-defined]
        values = getattr(keys, name)
        if values:
            out[name] = [
                {"ip": v.ip, "at": v.at.isoformat() if v.at else None}
                if isinstance(v, SendingIp)
                else v
                for v in values
            ]
    return out


def keys_of(row: ReportRow) -> ReportKeys:
    """The resolution keys a stored report was taken in with."""
    data = row.keys or {}
    ips = tuple(
        SendingIp(v["ip"], datetime.fromisoformat(v["at"]) if v.get("at") else None)
        for v in data.get("sending_ips", [])
    )
    plain = {
        name: tuple(data.get(name, []))
        for name in ReportKeys.__slots__  # type: ignore[attr-defined]
        if name != "sending_ips"
    }
    return ReportKeys(sending_ips=ips, **plain)


def report_row(
    report: Report, channel: str, filed_by: str | None, reporter_id: int, now: datetime
) -> ReportRow:
    """The row for an accepted report; state and resolution are the sink's to set."""
    redacted = redact_for_tenant(report)
    copy = None
    if redacted.original is not None:
        copy = redacted.original.raw.decode("utf-8", "replace")[:MAX_TENANT_COPY]
    facts: dict[str, Any] = {
        "notes": list(report.notes),
        "tenant_summary": redacted.summary,
    }
    if report.bounce is not None:
        facts["bounce"] = asdict(report.bounce)
    if report.auth_failure is not None:
        facts["auth_failure"] = asdict(report.auth_failure)
    if report.original is not None:
        facts["original"] = {
            "size": report.original.size,
            "headers_only": report.original.headers_only,
        }
    return ReportRow(
        reference=new_reference(),
        kind=report.kind.value,
        channel=channel,
        received=report.received,
        filed_by=filed_by,
        reporter_id=reporter_id,
        reporter_address=report.reporter.address,
        reporter_name=(report.reporter.name or "")[:200] or None,
        reporter_org=(report.reporter.org or report.reporter.domain or "")[:200] or None,
        source_ip=report.source_ip,
        source_network=report.source_network,
        mapping_key=report.mapping_key,
        clause=report.clause,
        incident_time=report.incident_time,
        report_id=(report.report_id or "")[:500] or None,
        summary=report.summary[:600],
        keys=keys_json(report.keys),
        facts=facts,
        tenant_copy=copy,
        dkim=report.auth.dkim,
        dkim_domain=report.auth.dkim_domain,
        provider=report.auth.provider,
        authenticated=is_authenticated(report),
        route=route(report).value,
        state="triage",
        candidates=[],
        counted=False,
        digest=report.digest,
        campaign_key=report.campaign_key,
        size=report.original.size if report.original else 0,
        updated_at=now,
    )


def rejected_digest(sha256: str) -> str:
    """Refused inputs dedup by their bytes, in a space apart from incident digests."""
    return hashlib.sha256(f"rejected\x1f{sha256}".encode()).hexdigest()


def rejected_row(
    rejected: RejectedInput, filed_by: str | None, reporter_id: int, now: datetime
) -> ReportRow:
    return ReportRow(
        reference=new_reference("rej"),
        kind="unparsed",
        channel=rejected.channel,
        received=rejected.received.astimezone(UTC),
        filed_by=filed_by,
        reporter_id=reporter_id,
        source_ip=rejected.source_ip,
        source_network=network_of(rejected.source_ip),
        summary="",
        keys={},
        facts={},
        route="triage",
        state="rejected",
        candidates=[],
        counted=False,
        digest=rejected_digest(rejected.sha256),
        rejection_field=rejected.field[:300],
        rejection_reason=rejected.reason[:2000],
        size=rejected.size,
        sha256=rejected.sha256,
        updated_at=now,
    )
