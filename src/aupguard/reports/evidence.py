"""What an X-ARF report states, in v4 terms whatever its version, and the Report built from it."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aupguard.reports import dedup
from aupguard.reports.assemble import campaign_of, clause_for, digest_for, summary
from aupguard.reports.keys import (
    KeyCollector,
    addresses_in,
    clean_message_id,
    domain_of,
    parse_time,
    refang,
    tokens_in,
    valid_ip,
)
from aupguard.reports.model import IntakeContext, Original, Report, Reporter, ReportKind, SendingIp
from aupguard.reports.originals import collect_from_original, keep_original

MESSAGE_TYPES = ("message/rfc822", "text/email", "message/email")


@dataclass(frozen=True, slots=True)
class XarfFacts:
    mapping_key: str  # "xarf:<category>/<type>" or "xarf-legacy:<type>"
    reporter: Reporter
    incident_time: datetime | None
    report_id: str | None
    source: str | None  # IP address or domain of the abuse source
    source_port: int | None
    urls: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    message_ids: tuple[str, ...] = ()
    samples: tuple[tuple[str, str, bool], ...] = ()  # (content type, payload, base64?)
    campaign_tag: str | None = None
    description: str = ""
    notes: tuple[str, ...] = ()

    @classmethod
    def from_v4(cls, v: dict[str, Any], converted: bool = False) -> XarfFacts:
        reporter = v.get("reporter") or {}
        urls = [str(v["url"])] if isinstance(v.get("url"), str) else []
        indicators = v.get("spam_indicators")
        if isinstance(indicators, dict):
            urls += [str(u) for u in indicators.get("suspicious_links") or []]
        tags = [str(t) for t in v.get("tags") or []]
        return cls(
            mapping_key=f"xarf:{v['category']}/{v['type']}",
            reporter=Reporter(
                address=str(reporter.get("contact") or "").lower() or None,
                org=reporter.get("org"),
                domain=domain_of(reporter.get("domain")),
            ),
            incident_time=parse_time(v.get("timestamp")),
            report_id=str(v.get("report_id") or "") or None,
            source=str(v.get("source_identifier") or "") or None,
            source_port=v.get("source_port") if isinstance(v.get("source_port"), int) else None,
            urls=tuple(urls),
            domains=tuple(str(v[k]) for k in ("domain",) if isinstance(v.get(k), str)),
            addresses=tuple(str(v[k]) for k in ("smtp_from",) if isinstance(v.get(k), str)),
            message_ids=tuple(str(v[k]) for k in ("message_id",) if isinstance(v.get(k), str)),
            samples=tuple(
                (str(e.get("content_type", "")), str(e.get("payload", "")), True)
                for e in v.get("evidence") or []
                if isinstance(e, dict)
            ),
            campaign_tag=next(
                (t.partition(":")[2] for t in tags if t.startswith("campaign:")), None
            ),
            description=str(v.get("description") or ""),
            notes=("converted from X-ARF v3",) if converted else (),
        )


def build_report(facts: XarfFacts, ctx: IntakeContext) -> Report:
    keys = KeyCollector(ctx.limits.max_keys)
    ip = valid_ip(facts.source)
    if ip:
        keys.add("sending_ips", [SendingIp(ip, facts.incident_time)])
    elif facts.source:
        keys.add("domains", [domain_of(facts.source)])
    keys.add("urls", (refang(u) for u in facts.urls))
    keys.add("domains", (domain_of(d) for d in facts.domains))
    keys.add("addresses", (a for raw in facts.addresses for a in addresses_in(raw)))
    keys.add("domains", (domain_of(a) for a in facts.addresses))
    keys.add("message_ids", (clean_message_id(m) for m in facts.message_ids))
    keys.text(facts.description, ctx.phone_region)
    original, view, notes = _samples(facts, keys, ctx)
    key = facts.mapping_key
    clause = clause_for(ctx.mapping, key)
    built = keys.build()
    incident = [facts.source or "", str(facts.source_port or ""), str(facts.incident_time)]
    incident += list(facts.urls[:1])
    campaign = dedup.campaign_key(facts.campaign_tag) if facts.campaign_tag else None
    campaign = (
        campaign
        or campaign_of(view)
        or dedup.campaign_key(None, _campaign_host(facts), None, (key,))
    )
    what = facts.description or f"{key.partition(':')[2]} from {facts.source or 'unknown'}"
    return Report(
        kind=ReportKind.XARF,
        received=ctx.received,
        reporter=facts.reporter,
        mapping_key=key,
        clause=clause,
        keys=built,
        digest=digest_for(facts.reporter, clause or key, built, incident),
        campaign_key=campaign,
        source_ip=ctx.source_ip,
        incident_time=facts.incident_time,
        original=original,
        report_id=facts.report_id,
        summary=summary(what, ctx.limits),
        notes=facts.notes + tuple(notes),
    )


def _samples(
    facts: XarfFacts, keys: KeyCollector, ctx: IntakeContext
) -> tuple[Original | None, Any, list[str]]:
    original: Original | None = None
    view = None
    notes: list[str] = []
    for i, (ctype, payload, encoded) in enumerate(facts.samples[: ctx.limits.max_keys]):
        data = payload.encode("utf-8", "surrogateescape")
        if encoded:
            try:
                data = base64.b64decode(payload[: ctx.limits.max_json_bytes], validate=False)
            except (binascii.Error, ValueError):
                notes.append(f"evidence[{i}].payload is not base64; kept as text")
        text = data[: ctx.limits.max_text_chars].decode("utf-8", "replace")
        keys.add("feedback_tokens", tokens_in(text))
        if ctype.lower() in MESSAGE_TYPES and original is None and data.strip():
            view = collect_from_original(data, keys, ctx)
            original = keep_original(data, ctx)
        elif ctype.lower().startswith("text/"):
            keys.text(text, ctx.phone_region)
    return original, view, notes


def _campaign_host(facts: XarfFacts) -> str | None:
    """Reports about one URL host or one source share a campaign."""
    for url in facts.urls:
        host = url.partition("://")[2].split("/", 1)[0].split(":", 1)[0]
        if domain_of(host):
            return domain_of(host)
    return facts.source
