"""Views of records without prose: call-detail records and activity (flows, HTTP, auth)."""

from __future__ import annotations

from functools import cached_property

from aupguard.events.model import AuthAttempt, CallRecord, Flow, HttpRequest, Role
from aupguard.events.views import TextPart, Views


class RecordView(Views):
    """The record itself is the view; HTTP targets are offered as text for pattern checks."""

    @property
    def record(self) -> CallRecord | Flow | HttpRequest | AuthAttempt:
        content = self.event.content
        assert isinstance(content, CallRecord | Flow | HttpRequest | AuthAttempt)
        return content

    @cached_property
    def text_parts(self) -> tuple[TextPart, ...]:
        rec = self.event.content
        if isinstance(rec, HttpRequest):
            return (TextPart(Role.SYSTEM, f"{rec.method} {rec.target}", "request"),)
        return ()


class TextlessRecordView(RecordView):
    """Flows, calls and logins carry no text: plain empty views, no lazy computation, so
    the detectors that look at every channel cost next to nothing per record."""

    text_parts = ()  # type: ignore[assignment]
    urls = ()  # type: ignore[assignment]
    attachments = ()  # type: ignore[assignment]
