"""Sample tenants and traffic for the demo: realistic, generated, safe (EICAR, GTUBE)."""

from __future__ import annotations

import base64
import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from aupguard.detectors.eicar import EICAR
from aupguard.detectors.gtube import GTUBE


@dataclass(frozen=True, slots=True)
class DemoTenant:
    id: str
    name: str
    domain: str
    number: str


TENANTS = (
    DemoTenant("acme-dental", "Acme Dental", "acme-dental.example", "+15550100001"),
    DemoTenant("globex-travel", "Globex Travel", "globex-travel.example", "+15550100002"),
    DemoTenant("initech-it", "Initech IT Services", "initech-it.example", "+15550100003"),
)

_REMINDERS = (
    "Hi {name}, this is a reminder of your appointment on {day} at {hour}:00. "
    "Reply C to confirm or call us to reschedule.",
    "Dear {name}, your booking reference {ref} is confirmed for {day}. "
    "You can manage it in your account on our website.",
    "Hello {name}, thank you for contacting us. Your ticket {ref} has been resolved; "
    "let us know if there is anything else we can help with.",
)
_NAMES = ("Alex", "Sam", "Jordan", "Taylor", "Morgan", "Casey", "Riley", "Jamie")


def _mail(t: DemoTenant, to: str, subject: str, body: str, when: datetime, n: int) -> bytes:
    head = (
        f"From: {t.name} <support@{t.domain}>\r\nTo: {to}\r\nSubject: {subject}\r\n"
        f"Date: {format_datetime(when)}\r\nMessage-ID: <demo-{t.id}-{n}@{t.domain}>\r\n"
        "MIME-Version: 1.0\r\n"
    )
    return (head + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n").encode()


def _with_attachment(mail: bytes, name: str, data: bytes) -> bytes:
    head, _, body = mail.partition(b"\r\n\r\n")
    head = head.replace(b"Content-Type: text/plain; charset=utf-8", b"")
    boundary = b"demo-boundary-7f3a"
    return (
        head.rstrip(b"\r\n")
        + b'\r\nContent-Type: multipart/mixed; boundary="'
        + boundary
        + b'"\r\n\r\n--'
        + boundary
        + b"\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        + body
        + b"\r\n--"
        + boundary
        + b'\r\nContent-Type: application/octet-stream; name="'
        + name.encode()
        + b'"\r\nContent-Disposition: attachment; filename="'
        + name.encode()
        + b'"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
        + base64.encodebytes(data)
        + b"\r\n--"
        + boundary
        + b"--\r\n"
    )


def write_demo_traffic(folder: Path, seed: int = 7, per_tenant: int = 20) -> list[Path]:
    """Write sample mail (.eml) and messaging events (.jsonl) under `folder`."""
    rng = random.Random(seed)
    start = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    lines: list[str] = []
    n = 0
    for t in TENANTS:
        for i in range(per_tenant):
            n += 1
            when = start + timedelta(minutes=n * 3)
            name = rng.choice(_NAMES)
            body = rng.choice(_REMINDERS).format(
                name=name, day="Monday", hour=rng.randint(9, 17), ref=f"R{rng.randint(1000, 9999)}"
            )
            to = f"{name.lower()}{i}@customers.example"
            path = folder / f"{t.id}-{i:03d}.eml"
            path.write_bytes(_mail(t, to, "Your appointment", body, when, n))
            written.append(path)
            sms = {
                "channel": "sms",
                "tenant": t.id,
                "sender_id": t.number,
                "recipient": f"+1555020{n:04d}",
                "time": when.isoformat(),
                "text": body,
            }
            lines.append(json.dumps(sms))
    # The violations the demo must find.
    bad = TENANTS[2]
    mail = _mail(
        bad, "it@customers.example", "Invoice", "Please find the invoice attached.", start, 9001
    )
    (folder / "initech-it-invoice.eml").write_bytes(_with_attachment(mail, "invoice.com", EICAR))
    spam = _mail(
        TENANTS[1],
        "list@customers.example",
        "Cheap flights!!!",
        f"Win a free holiday now! {GTUBE}",
        start,
        9002,
    )
    (folder / "globex-travel-promo.eml").write_bytes(spam)
    written += [folder / "initech-it-invoice.eml", folder / "globex-travel-promo.eml"]
    chat = {
        "channel": "chat",
        "tenant": "acme-dental",
        "agent": "agent-7",
        "turns": [
            {"role": "customer", "text": "Hi, can I move my cleaning to Friday?"},
            {"role": "agent", "text": "Of course, Friday at 10 works. See you then!"},
        ],
    }
    lines.append(json.dumps(chat))
    jsonl = folder / "messaging.jsonl"
    jsonl.write_text("\n".join(lines) + "\n", encoding="utf-8")
    written.append(jsonl)
    return written
