"""Views of a short message (SMS or one chat message): its text and the URLs in it."""

from __future__ import annotations

from functools import cached_property

from aupguard.events.limits import Limits
from aupguard.events.model import Event, MessageContent, Role
from aupguard.events.views import TextPart, Views


class MessageView(Views):
    content: MessageContent

    def __init__(self, event: Event, limits: Limits | None = None) -> None:
        super().__init__(event, limits)
        assert isinstance(event.content, MessageContent)
        self.content = event.content

    @cached_property
    def text_parts(self) -> tuple[TextPart, ...]:
        text = self.content.text
        if len(text) > self.limits.max_text_chars:
            from aupguard.events.views import LimitHit

            self.limit_hits.append(LimitHit("text", f"{len(text)} characters"))
            text = text[: self.limits.max_text_chars]
        role = Role.AGENT if self.event.agent else Role.BODY
        return (TextPart(role, text, "text"),)
