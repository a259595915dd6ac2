"""Views of a chat conversation or a voice-call transcript, turn by turn with roles."""

from __future__ import annotations

from functools import cached_property

from aupguard.events.limits import Limits
from aupguard.events.model import Event, Role, TranscriptContent
from aupguard.events.views import LimitHit, TextPart, Views


class TranscriptView(Views):
    content: TranscriptContent

    def __init__(self, event: Event, limits: Limits | None = None) -> None:
        super().__init__(event, limits)
        assert isinstance(event.content, TranscriptContent)
        self.content = event.content

    @cached_property
    def text_parts(self) -> tuple[TextPart, ...]:
        turns = self.content.turns
        if len(turns) > self.limits.max_turns:
            self.limit_hits.append(LimitHit("turns", f"{len(turns)} turns"))
            turns = turns[: self.limits.max_turns]
        return tuple(TextPart(t.role, t.text, f"turn {i}") for i, t in enumerate(turns, 1))

    @cached_property
    def agent_text(self) -> str:
        """What the tenant's people said: agent turns only (bots and customers left out)."""
        return "\n".join(tp.text for tp in self.text_parts if tp.role is Role.AGENT)
