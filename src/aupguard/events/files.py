"""Views of a bare file: judged as a single attachment, text files also as text."""

from __future__ import annotations

from functools import cached_property

from aupguard.events.limits import Limits
from aupguard.events.model import Event, FileContent, Role
from aupguard.events.sniff import sniff_type
from aupguard.events.views import Attachment, TextPart, Views


class FileView(Views):
    content: FileContent

    def __init__(self, event: Event, limits: Limits | None = None) -> None:
        super().__init__(event, limits)
        assert isinstance(event.content, FileContent)
        self.content = event.content

    @cached_property
    def sniffed_type(self) -> str:
        return sniff_type(self.content.data)

    @cached_property
    def attachments(self) -> tuple[Attachment, ...]:
        c = self.content
        return (Attachment(c.name, "application/octet-stream", self.sniffed_type, c.data, "file"),)

    @cached_property
    def text_parts(self) -> tuple[TextPart, ...]:
        if not self.sniffed_type.startswith("text/"):
            return ()
        text = self.content.data[: self.limits.max_text_chars].decode("utf-8", "replace")
        return (TextPart(Role.ATTACHMENT, text, "file"),)
