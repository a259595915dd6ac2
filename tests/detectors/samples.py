"""Builders for detector samples: mail with attachments, SMS, chat (safe test strings only)."""

from __future__ import annotations

import base64

from aupguard.events.model import Channel, Event, MessageContent, Role, TranscriptContent, Turn
from aupguard.events.sources import email_event


def mail(body: str = "Hello", attachment: tuple[str, bytes] | None = None) -> Event:
    head = "From: a@acme.example\r\nTo: b@c.example\r\nSubject: test\r\nMIME-Version: 1.0\r\n"
    if attachment is None:
        raw = head + "Content-Type: text/plain\r\n\r\n" + body + "\r\n"
        return email_event(raw.encode(), "sample")
    name, data = attachment
    raw = (
        head + 'Content-Type: multipart/mixed; boundary="x"\r\n\r\n--x\r\n'
        "Content-Type: text/plain\r\n\r\n" + body + "\r\n--x\r\n"
        f'Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="{name}"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n"
        + base64.b64encode(data).decode()
        + "\r\n--x--\r\n"
    )
    return email_event(raw.encode(), "sample")


def sms(text: str) -> Event:
    return Event(id="s", channel=Channel.SMS, content=MessageContent(text))


def chat(*turns: tuple[Role, str]) -> Event:
    content = TranscriptContent(tuple(Turn(role, text) for role, text in turns))
    return Event(id="c", channel=Channel.CHAT, content=content)
