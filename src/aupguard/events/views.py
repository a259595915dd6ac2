"""Lazy, cached views over an event: text parts, URLs, attachments, limit hits."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from aupguard.events.language import SAMPLE_CHARS, detect_language
from aupguard.events.limits import Limits
from aupguard.events.model import Event, Role

if TYPE_CHECKING:
    from aupguard.events.archives import Expansion


@dataclass(frozen=True, slots=True)
class TextPart:
    """Readable text with who produced it and where it sits (MIME path, turn number)."""

    role: Role
    text: str
    part: str


@dataclass(frozen=True, slots=True)
class UrlRef:
    url: str
    part: str
    anchor_text: str | None = None  # visible text of an HTML link, when there is one
    start: int | None = None  # offset in the text part it came from, when plain text


@dataclass(frozen=True, slots=True)
class Attachment:
    name: str
    declared_type: str
    sniffed_type: str  # from content, not from the name
    data: bytes
    part: str  # MIME path; members of archives add `!name` (e.g. `1.2!docs/a.exe`)
    inline: bool = False
    depth: int = 0  # 0: attached to the event; n: inside n archives
    encrypted: bool = False  # a member of an encrypted archive: name known, data empty


@dataclass(frozen=True, slots=True)
class LimitHit:
    """A hard limit cut parsing short: the event is still judged on what was read."""

    limit: str  # size, mime_depth, parts, headers, text
    detail: str
    part: str = ""


class Views:
    """Base of every channel's views; each property is computed once, on first use."""

    def __init__(self, event: Event, limits: Limits | None = None) -> None:
        self.event = event
        self.limits = limits or Limits()
        self.limit_hits: list[LimitHit] = []
        self.defects: list[str] = []
        # Analyses several detectors share (e.g. e-mail authentication results), computed
        # by the first detector that needs one and reused by the others for this event.
        self.memo: dict[str, object] = {}

    @cached_property
    def text_parts(self) -> tuple[TextPart, ...]:
        return ()

    @cached_property
    def urls(self) -> tuple[UrlRef, ...]:
        from aupguard.events.urls import urls_in_text

        found: list[UrlRef] = []
        for tp in self.text_parts:
            found.extend(urls_in_text(tp.text, tp.part))
        return tuple(found)

    @cached_property
    def attachments(self) -> tuple[Attachment, ...]:
        return ()

    @cached_property
    def expansion(self) -> Expansion:
        """Attachments and every archive member, opened within limits on first use."""
        from aupguard.events.archives import expand

        return expand(self.attachments, self.limits)

    @property
    def files(self) -> tuple[Attachment, ...]:
        """Attachments, then the members of those that are archives, depth first."""
        return self.expansion.files

    @cached_property
    def tenant_text(self) -> str:
        """All text the tenant produced (customer turns left out), joined by newlines."""
        return "\n".join(tp.text for tp in self.text_parts if tp.role.is_tenant_speech)

    @cached_property
    def language(self) -> str | None:
        """ISO 639-1 code of the tenant's text, or None when there is too little text."""
        sample: list[str] = []
        size = 0
        for tp in self.text_parts:
            if tp.role.is_tenant_speech and tp.role is not Role.SUBJECT:
                sample.append(tp.text[:SAMPLE_CHARS])
                size += len(sample[-1])
                if size >= SAMPLE_CHARS:
                    break
        return detect_language("\n".join(sample))
