"""Shared builders for the report tests: a context with the shipped mapping, sample mail."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache

from aupguard.reports.model import IntakeContext
from aupguard.rules.load import load_ruleset

RECEIVED = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@cache
def shipped_mapping() -> dict[str, str]:
    return dict(load_ruleset().report_mapping)


def context(**kw: object) -> IntakeContext:
    kw.setdefault("mapping", shipped_mapping())
    kw.setdefault("received", RECEIVED)
    return IntakeContext(**kw)  # type: ignore[arg-type]


TOKEN = "agf1-aaaaaaaaaaaaaaaa-bbbbbbbbbbbbb"


def arf_message(
    *,
    feedback: str = "Feedback-Type: abuse\nUser-Agent: TestFBL/1.0\nVersion: 1\n",
    original: str | None = None,
    sender: str = "fbl@isp.example",
    message_id: str = "<report-1@isp.example>",
) -> bytes:
    """A minimal RFC 5965 report around `original` (a message our platform sent)."""
    original = original or (
        "From: Shop <news@tenant.example>\n"
        "To: alice@isp.example\n"
        "Subject: Big sale 2026\n"
        "Message-ID: <campaign-7-alice@tenant.example>\n"
        f"X-Aupguard-Feedback: {TOKEN}\n"
        "Received: from out1.platform.example (out1.platform.example [198.51.100.7])\n"
        "  by mx.isp.example; Fri, 20 Nov 2026 10:00:00 +0000\n"
        "\n"
        "Buy now at https://shop.tenant.example/sale\n"
    )
    return (
        f"From: {sender}\nTo: abuse@platform.example\nSubject: FBL report\n"
        f"Message-ID: {message_id}\nMIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=feedback-report; boundary="b1"\n\n'
        "--b1\nContent-Type: text/plain\n\nThis is an abuse report.\n\n"
        f"--b1\nContent-Type: message/feedback-report\n\n{feedback}\n"
        f"--b1\nContent-Type: message/rfc822\n\n{original}\n--b1--\n"
    ).encode()
