"""RFC 8058 one-click unsubscribe and SMS opt-out notices, field by field."""

from __future__ import annotations

import pytest

from aupguard.detectors.bulk_requirements import missing_one_click, missing_opt_out_notice
from aupguard.events.email import EmailView
from aupguard.events.normalize import views_for
from aupguard.events.sources import email_event

GOOD = (
    "List-Unsubscribe: <mailto:u@news.example?subject=unsub>, <https://news.example/u/abc>\r\n"
    "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
)


def view(headers: str) -> EmailView:
    raw = f"From: n@news.example\r\nTo: a@b.example\r\nSubject: news\r\n{headers}\r\nHello\r\n"
    v = views_for(email_event(raw.encode(), "t"))
    assert isinstance(v, EmailView)
    return v


@pytest.mark.parametrize(
    ("headers", "missing"),
    [
        (GOOD, ""),
        ("", "no List-Unsubscribe header"),
        ("List-Unsubscribe: <mailto:u@news.example>\r\n", "no https URI"),
        (
            "List-Unsubscribe: <http://news.example/u>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n",
            "no https URI",
        ),
        ("List-Unsubscribe: <https://news.example/u/abc>\r\n", "List-Unsubscribe-Post"),
        (
            GOOD
            + "DKIM-Signature: v=1; a=rsa-sha256; d=news.example; s=s1; h=from:to:subject; b=x; bh=y\r\n",
            "DKIM signature",
        ),
        (
            GOOD
            + "DKIM-Signature: v=1; d=news.example; s=s1;\r\n h=from:list-unsubscribe:list-unsubscribe-post; b=x\r\n",
            "",
        ),
    ],
    ids=[
        "complete",
        "none",
        "mailto-only",
        "http",
        "no-post",
        "dkim-not-covering",
        "dkim-covering",
    ],
)
def test_one_click_requirements(headers: str, missing: str) -> None:
    found = missing_one_click(view(headers))
    assert (missing in found and bool(found)) if missing else found == ""


def test_opt_out_notice() -> None:
    assert missing_opt_out_notice("Big sale this weekend at Acme!")
    assert not missing_opt_out_notice("Big sale this weekend. Reply STOP to opt out")
    assert not missing_opt_out_notice("Soldes ce week-end. ARRET pour ne plus recevoir")
