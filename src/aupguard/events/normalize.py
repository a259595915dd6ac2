"""Choose the views for an event by its channel: the one entry point to the normalizers."""

from __future__ import annotations

from aupguard.events.email import EmailView
from aupguard.events.files import FileView
from aupguard.events.limits import Limits
from aupguard.events.model import (
    AuthAttempt,
    CallRecord,
    EmailContent,
    Event,
    FileContent,
    Flow,
    HttpRequest,
    MessageContent,
    TranscriptContent,
)
from aupguard.events.records import RecordView, TextlessRecordView
from aupguard.events.sms import MessageView
from aupguard.events.transcript import TranscriptView
from aupguard.events.views import Views


def views_for(event: Event, limits: Limits | None = None) -> Views:
    """Lazy views of `event`; nothing is parsed until a detector asks for it."""
    content = event.content
    if isinstance(content, EmailContent):
        return EmailView(event, limits)
    if isinstance(content, MessageContent):
        return MessageView(event, limits)
    if isinstance(content, TranscriptContent):
        return TranscriptView(event, limits)
    if isinstance(content, FileContent):
        return FileView(event, limits)
    if isinstance(content, HttpRequest):
        return RecordView(event, limits)
    if isinstance(content, CallRecord | Flow | AuthAttempt):
        return TextlessRecordView(event, limits)
    raise TypeError(f"no normalizer for {type(content).__name__}")
