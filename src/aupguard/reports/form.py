"""Reports from the public web form and the API: a typed submission, validated, to a Report."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from aupguard.errors import Rejection
from aupguard.reports import dedup
from aupguard.reports.assemble import campaign_of, clause_for, digest_for, summary
from aupguard.reports.keys import (
    KeyCollector,
    clean_message_id,
    domain_of,
    refang,
    valid_ip,
)
from aupguard.reports.model import IntakeContext, Report, Reporter, ReportKind, SendingIp
from aupguard.reports.originals import collect_from_original, keep_original

_SLUG = r"^[a-z0-9][a-z0-9-]{0,40}$"


class Submission(BaseModel):
    """What the form and the API accept; anything else is rejected by field name."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    category: str = Field(pattern=_SLUG, description="an AUP clause id, or 'other'")
    description: str = Field(min_length=10, max_length=5000)
    reporter_email: str | None = Field(
        default=None, max_length=254, pattern=r"^[^@\s]{1,64}@[^@\s]{1,190}$"
    )
    reporter_name: str | None = Field(default=None, max_length=200)
    occurred_at: datetime | None = None
    urls: list[str] = Field(default_factory=list, max_length=20)
    message_ids: list[str] = Field(default_factory=list, max_length=20)
    sending_ips: list[str] = Field(default_factory=list, max_length=20)
    phone_numbers: list[str] = Field(default_factory=list, max_length=20)
    sender_ids: list[str] = Field(default_factory=list, max_length=20)
    domains: list[str] = Field(default_factory=list, max_length=20)
    original: str | None = Field(default=None, max_length=256 * 1024, description="pasted message")


def parse_submission(
    data: bytes | dict[str, object], ctx: IntakeContext, kind: Literal["form", "api"] = "form"
) -> Report:
    try:
        value = json.loads(data) if isinstance(data, bytes) else data
        submission = Submission.model_validate(value)
    except ValueError as exc:  # ValidationError is a ValueError; so is bad JSON
        raise _rejection(exc) from None
    if ctx.clauses and submission.category != "other" and submission.category not in ctx.clauses:
        known = ", ".join(sorted(ctx.clauses))
        raise Rejection(
            "category", f"{submission.category!r} is not a clause (expected: {known}, other)"
        )
    keys = KeyCollector(ctx.limits.max_keys)
    for i, ip in enumerate(submission.sending_ips):
        if valid_ip(ip) is None:
            raise Rejection(f"sending_ips[{i}]", f"{ip[:60]!r} is not an IP address")
        keys.add("sending_ips", [SendingIp(valid_ip(ip) or "", submission.occurred_at)])
    keys.add("urls", (refang(u) for u in submission.urls))
    keys.add("message_ids", (clean_message_id(m) for m in submission.message_ids))
    keys.add("domains", (domain_of(d) for d in submission.domains))
    keys.add("sender_ids", submission.sender_ids)
    keys.text(" ".join(submission.phone_numbers) + "\n" + submission.description, ctx.phone_region)
    original = view = None
    if submission.original:
        raw = submission.original.encode("utf-8", "surrogateescape")
        view = collect_from_original(raw, keys, ctx)
        original = keep_original(raw, ctx)
    key = f"{kind}:{submission.category}"
    clause = clause_for(ctx.mapping, key) or (
        submission.category if submission.category in ctx.clauses else None
    )
    reporter = Reporter(
        address=(submission.reporter_email or "").lower() or None,
        name=submission.reporter_name or None,
        domain=domain_of(submission.reporter_email),
    )
    built = keys.build()
    fallback = [dedup.text_fingerprint(submission.description)]
    return Report(
        kind=ReportKind.FORM if kind == "form" else ReportKind.API,
        received=ctx.received,
        reporter=reporter,
        mapping_key=key,
        clause=clause,
        keys=built,
        digest=digest_for(reporter, clause or key, built, fallback),
        campaign_key=campaign_of(view),
        source_ip=ctx.source_ip,
        incident_time=submission.occurred_at,
        original=original,
        summary=summary(submission.description, ctx.limits),
    )


def _rejection(exc: ValueError) -> Rejection:
    if isinstance(exc, ValidationError):
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "(submission)"
        return Rejection(where, err["msg"])
    return Rejection("(submission)", f"not JSON: {str(exc)[:120]}")
