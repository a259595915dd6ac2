"""The whole loop in a real browser (Debian's chromium) against a real `aupguard serve`.

A reviewer suspends a tenant from the case page, the API refuses the tenant's next
message, the tenant reads the statement of reasons through its signed link and appeals,
the reviewer overturns, and the tenant is active again. Screenshots go to a temporary
folder, or to $AUPGUARD_SCREENSHOTS (docs/screenshots to refresh the documentation).
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from aupguard.rules.load import DEFAULT_PATH
from aupguard.tenantlinks import tenant_link
from tests.servers import free_port
from tests.web.live import PASSWORD, TENANT, Seeded, seed, serve

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _need_chromium() -> None:
    """Skip where chromium could not be installed; in CI (where it must be) fail instead."""
    if Path(CHROMIUM).exists():
        return
    message = f"{CHROMIUM} is missing (scripts/test installs Debian's chromium with apt-get)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


class Shots:
    """Screenshots as 64-colour PNGs: small enough to commit, sharp enough to read."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def take(self, page: Any, name: str, full_page: bool = False) -> None:
        from PIL import Image

        image = Image.open(io.BytesIO(page.screenshot(full_page=full_page)))
        small = image.convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT)
        small.save(self.folder / f"{name}.png", optimize=True)


@pytest.fixture
def shots(tmp_path: Path) -> Shots:
    return Shots(Path(os.environ.get("AUPGUARD_SCREENSHOTS") or tmp_path / "screenshots"))


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[str, Seeded]]:
    _need_chromium()
    port = free_port()
    seeded = seed(tmp_path, port)
    with serve(seeded, port, tmp_path / "server.log") as base:
        yield base, seeded


@pytest.fixture
def browser() -> Iterator[object]:
    """Headless chromium; Playwright gives every launch a fresh temporary user-data-dir."""
    _need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def test_suspend_refuse_appeal_overturn(
    live: tuple[str, Seeded], browser: object, shots: Shots
) -> None:
    from playwright.sync_api import Browser, expect

    base, seeded = live
    assert isinstance(browser, Browser)
    size = {"width": 1200, "height": 860}
    api = httpx.Client(base_url=base, timeout=30)
    gateway = {"Authorization": f"Bearer {seeded.decide_key}"}

    # The reviewer logs in and opens the top case of the queue.
    reviewer = browser.new_context(viewport=size).new_page()
    reviewer.goto(f"{base}/console")
    expect(reviewer).to_have_url(f"{base}/login")
    reviewer.fill("#username", "rita")
    reviewer.fill("#password", PASSWORD)
    reviewer.click("button:has-text('Log in')")
    expect(reviewer).to_have_url(f"{base}/console")
    # The seeded traffic opens more than one case; the reviewer filters the queue to the
    # clause at hand (the filter form of the queue) and opens its top case.
    reviewer.goto(f"{base}/console?clause=malware")
    top = reviewer.locator("#cases tbody tr").first
    expect(top).to_contain_text(TENANT)
    expect(top).to_contain_text("malware")
    shots.take(reviewer, "console-queue")
    top.locator("a.case-link").click()

    # The evidence is highlighted; the reviewer suspends the tenant with a reason.
    mark = reviewer.locator(".evidence mark").first
    expect(mark).to_be_visible()
    expect(mark).to_contain_text("invoice.pdf.com")
    expect(reviewer.locator("#tenant-status")).to_have_text("active")
    case_url = reviewer.url
    shots.take(reviewer, "case")
    reviewer.select_option("#kind", "suspend")
    reviewer.fill("#reason", "Sent the EICAR malware test file to a patient as an invoice.")
    reviewer.click("#act-form button[type=submit]")  # refused by the browser: not confirmed
    expect(reviewer.locator("#tenant-status")).to_have_text("active")
    reviewer.check("#confirm")
    reviewer.click("#act-form button[type=submit]")
    expect(reviewer.locator("#tenant-status")).to_have_text("suspended")

    # The API now refuses the tenant's next message, citing the case.
    refused = api.post("/v1/decide", json={"channel": "sms", "text": "Hello"}, headers=gateway)
    assert refused.status_code == 200, refused.text
    assert refused.json()["action"] == "block", refused.json()
    case_ref = f"AUP-{int(case_url.rstrip('/').rsplit('/', 1)[1]):06d}"
    assert case_ref in refused.json()["reason"], refused.json()
    status = api.get(f"/v1/status/{TENANT}", headers=gateway).json()
    assert status["may_send"] is False and status["case_ref"] == case_ref

    # The tenant opens its signed link, reads the reasons and appeals.
    tenant = browser.new_context(viewport=size).new_page()  # no console session
    tenant.goto(tenant_link(seeded.settings, TENANT))
    expect(tenant.locator("#portal-status")).to_have_text("suspended")
    statement = tenant.locator(".statement", has_text="Suspend").first
    expect(statement).to_contain_text("Sent the EICAR malware test file")
    expect(statement).to_contain_text(case_ref)
    expect(statement).to_contain_text("taken by a reviewer")
    shots.take(tenant, "tenant-portal", full_page=True)
    statement.locator("textarea").fill("The attachment was a test file from our IT vendor.")
    statement.locator("button:has-text('Send appeal')").click()
    expect(tenant.locator(".notice")).to_contain_text("appealed")
    expect(tenant.locator(".statement").first).to_contain_text("Your appeal is open")

    # The reviewer sees the open appeal and overturns it from the case page.
    reviewer.click("header a:has-text('Appeals')")
    expect(reviewer.locator("table.appeals")).to_contain_text("IT vendor")
    shots.take(reviewer, "appeals")
    reviewer.goto(case_url)
    appeal = reviewer.locator("table.appeals tr", has_text="IT vendor")
    appeal.locator("textarea").fill("EICAR is a harmless test string; no patient was at risk.")
    appeal.locator("button[value=overturn]").click()
    expect(reviewer.locator("#tenant-status")).to_have_text("active")
    expect(reviewer.locator("table.appeals")).to_contain_text("overturned")

    # The tenant is active again: portal and API agree.
    tenant.reload()
    expect(tenant.locator("#portal-status")).to_have_text("active")
    expect(tenant.locator(".statement").first).to_contain_text("Reinstate")
    status = api.get(f"/v1/status/{TENANT}", headers=gateway).json()
    assert status["may_send"] is True and status["state"] == "active", status
    allowed = api.post("/v1/decide", json={"channel": "sms", "text": "Hi"}, headers=gateway)
    assert allowed.json()["action"] == "allow", allowed.json()

    # The other pages, for the documentation.
    reviewer.goto(f"{base}/console/ruleset")
    draft = DEFAULT_PATH.read_text("utf-8").replace("EICAR: 1.0", "EICAR: 0.5")
    reviewer.fill("#draft", draft)
    reviewer.click("button:has-text('Show diff and shadow results')")
    expect(reviewer.locator("#shadow")).to_contain_text("EICAR")
    reviewer.locator("#shadow").scroll_into_view_if_needed()
    shots.take(reviewer, "ruleset")
    reviewer.goto(f"{base}/console/dashboard")
    expect(reviewer.locator(".bars svg").first).to_be_visible()
    shots.take(reviewer, "dashboard", full_page=True)
    public = browser.new_context(viewport=size).new_page()
    public.goto(f"{base}/")
    expect(public.locator("h1")).to_be_visible()
    shots.take(public, "public-policy")
    for name in ("console-queue", "case", "tenant-portal", "appeals", "ruleset", "dashboard"):
        assert (shots.folder / f"{name}.png").stat().st_size > 5_000, name
