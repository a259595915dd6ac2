"""A real `aupguard serve` on a free loopback port, over a seeded SQLite database."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import httpx
import yaml

from aupguard.api.security import create_key
from aupguard.decide import Decider
from aupguard.detectors.eicar import EICAR
from aupguard.detectors.gtube import GTUBE
from aupguard.enforce.identities import IdentityKind
from aupguard.enforce.tenants import add_identity, create_tenant
from aupguard.events.jsonevent import event_from_json
from aupguard.events.sources import email_event
from aupguard.rules.load import DEFAULT_PATH
from aupguard.rules.model import Ruleset
from aupguard.settings import Settings
from aupguard.store.db import Store
from aupguard.web.accounts import create_reviewer

PASSWORD = "correct horse battery staple"
TENANT = "acme-dental"


@dataclass(frozen=True)
class Seeded:
    db_url: str
    settings: Settings
    decide_key: str  # bound to TENANT, as its gateway would hold it
    admin_key: str


def gentle_ruleset() -> Ruleset:
    """The shipped ruleset, but malware suspends automatically only at the second strike:
    the seeded case then waits for a reviewer, and the suspension is the reviewer's."""
    data = yaml.safe_load(DEFAULT_PATH.read_text("utf-8"))
    data["ladders"]["malware"]["steps"] = [
        {"strikes": 2, "action": "suspend", "needs_deterministic": True},
        {"strikes": 3, "action": "terminate", "needs_second_person": True},
    ]
    return Ruleset.model_validate(data)


def eicar_mail(now: datetime) -> bytes:
    boundary = "seed-7f3a"
    return (
        "From: Acme Dental <billing@acme-dental.example>\r\nTo: pat@patients.example\r\n"
        f"Subject: Your invoice\r\nDate: {format_datetime(now)}\r\n"
        "Message-ID: <seed-1@acme-dental.example>\r\nMIME-Version: 1.0\r\n"
        f'Content-Type: multipart/mixed; boundary="{boundary}"\r\n\r\n'
        f"--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "Please find your invoice attached.\r\n"
        f"--{boundary}\r\nContent-Type: application/octet-stream\r\n"
        'Content-Disposition: attachment; filename="invoice.pdf.com"\r\n\r\n'
        f"{EICAR.decode()}\r\n--{boundary}--\r\n"
    ).encode()


def seed(folder: Path, port: int) -> Seeded:
    """Tenants, a reviewer, keys, clean traffic and one EICAR e-mail (a real open case)."""
    db_url = f"sqlite:///{folder / 'console.db'}"
    settings = Settings(home=folder / "home", public_url=f"http://127.0.0.1:{port}")
    store = Store(db_url)
    now = datetime.now(UTC)
    with store.write() as s:
        create_tenant(s, TENANT, "Acme Dental", actor="seed", contact_email="ops@acme.example")
        domain = add_identity(s, TENANT, IdentityKind.DOMAIN, "acme-dental.example", actor="seed")
        domain.proof, domain.verified_at = "seed", now  # DNS proof needs the network
        create_tenant(s, "globex-travel", "Globex Travel", actor="seed")
        create_reviewer(s, "rita", PASSWORD, "reviewer", now)
        decide_key = create_key(s, "acme-gateway", ["decide"], TENANT)
        admin_key = create_key(s, "ops", ["admin"])
    decider = Decider(store, ruleset=gentle_ruleset(), settings=settings)
    for i, tenant in enumerate((TENANT, "globex-travel", "globex-travel")):
        text = f"Hi, your appointment {i} is confirmed for Monday at 10:00."
        decider.decide(event_from_json({"channel": "sms", "tenant": tenant, "text": text}))
    spam = f"Cheap flights! {GTUBE}"
    decider.decide(event_from_json({"channel": "chat", "tenant": "globex-travel", "text": spam}))
    event = email_event(eicar_mail(now), "seed", mail_from="billing@acme-dental.example")
    decision = decider.decide(replace(event, tenant=TENANT))
    assert decision.action == "block" and decision.case_ref, decision
    store.dispose()
    return Seeded(db_url, settings, decide_key, admin_key)


def stop_process(proc: subprocess.Popen[bytes], timeout: float = 15) -> None:
    """SIGTERM, then SIGKILL if it has not exited within `timeout` seconds."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def aupguard_command() -> list[str]:
    script = Path(sys.executable).with_name("aupguard")
    if script.exists():
        return [str(script)]
    found = shutil.which("aupguard")
    return [found] if found else [sys.executable, "-m", "aupguard.cli.main"]


@contextmanager
def serve(seeded: Seeded, port: int, log: Path) -> Iterator[str]:
    """`aupguard serve` in a subprocess; yields its base URL and stops it afterwards."""
    env = {
        **os.environ,
        "AUPGUARD_HOME": str(seeded.settings.home),
        "AUPGUARD_PUBLIC_URL": seeded.settings.public_url,
    }
    cmd = [*aupguard_command(), "serve", "--port", str(port), "--db", seeded.db_url]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180  # a loaded 2-core machine starts slowly (36-90 s seen)
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"aupguard serve exited: {log.read_text('utf-8', 'replace')}")
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"aupguard serve did not answer on {base}")
            time.sleep(0.3)
        yield base
    finally:
        stop_process(proc)
