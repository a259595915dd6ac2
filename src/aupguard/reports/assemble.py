"""Shared finishing steps of every parser: clause lookup, reporter, summary, digests."""

from __future__ import annotations

import email.utils
from collections.abc import Mapping

from aupguard.events.email import EmailView, decode_header_value
from aupguard.privacy import mask_pii
from aupguard.reports import dedup
from aupguard.reports.keys import domain_of
from aupguard.reports.model import Reporter, ReportKeys, ReportLimits


def clause_for(mapping: Mapping[str, str], key: str | None) -> str | None:
    """The clause a report type maps to; `xarf:cat/type` falls back to `xarf:cat`."""
    if not key:
        return None
    if key in mapping:
        return mapping[key]
    head, sep, _ = key.rpartition("/")
    return mapping.get(head) if sep else None


def reporter_from(from_field: str | None, user_agent: str | None = None) -> Reporter:
    name, address = email.utils.parseaddr(decode_header_value(from_field or ""))
    address = address.strip().lower() or ""
    return Reporter(
        address=address or None,
        name=name.strip() or None,
        domain=domain_of(address),
        user_agent=user_agent,
    )


def summary(text: str, limits: ReportLimits) -> str:
    return mask_pii(" ".join(text.split())[: limits.max_summary_chars * 2])[
        : limits.max_summary_chars
    ]


def digest_for(
    reporter: Reporter, topic: str, keys: ReportKeys, fallback: list[str] | None = None
) -> str:
    """Token, else Message-ID, else the caller's incident facts or text fingerprint."""
    subject: list[str] = list(keys.feedback_tokens) or list(keys.message_ids)
    return dedup.incident_digest(reporter, topic, subject or (fallback or []))


def campaign_of(view: EmailView | None, extra: tuple[str, ...] = ()) -> str | None:
    """Feedback-ID (the sender's own campaign id) else From domain + subject skeleton."""
    if view is None:
        return None
    explicit = view.header("Feedback-ID") or view.header("X-Campaign-ID")
    return dedup.campaign_key(explicit, domain_of(view.from_address[1]), view.subject, extra)
