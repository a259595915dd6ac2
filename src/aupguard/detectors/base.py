"""What a detector is: its declared signals, typed options and a pure `check`."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from aupguard.detectors.context import Context
from aupguard.events.model import Channel, Event
from aupguard.events.views import Views
from aupguard.privacy import masked_window
from aupguard.signals import Evidence, Observation, Signal

SIGNAL_NAME = re.compile(r"^[A-Z][A-Z0-9_]{1,63}$")
# Flows, call-detail records and logins carry no text, URLs or attachments (their views
# are empty), so the detectors of content skip them rather than being called per record;
# an HTTP log line's only text is its request line (URLs, no files, nobody's words).
CONTENT_CHANNELS = frozenset(Channel) - {Channel.FLOW, Channel.CALL, Channel.AUTH}
MESSAGE_CHANNELS = CONTENT_CHANNELS - {Channel.HTTP}


@dataclass(frozen=True, slots=True)
class SignalSpec:
    """A signal a detector may emit, with a one-line meaning (documented, tested)."""

    name: str
    meaning: str
    deterministic: bool = False


class NoOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")


Finding = Signal | Observation
__all__ = [
    "CONTENT_CHANNELS",
    "MESSAGE_CHANNELS",
    "Detector",
    "Evidence",
    "Finding",
    "Observation",
    "Signal",
    "SignalSpec",
    "excerpt",
]


class Detector:
    """Base of every detector: small, named, self-describing and pure.

    Subclasses set the class attributes and implement `check`; they never write state,
    never act and never read the database: `ctx` offers read-only snapshots.
    """

    name: ClassVar[str]
    version: ClassVar[str] = "1"
    description: ClassVar[str]
    channels: ClassVar[frozenset[Channel]] = frozenset()  # empty: every channel
    signals: ClassVar[tuple[SignalSpec, ...]]
    Options: ClassVar[type[BaseModel]] = NoOptions
    model_hash: str | None = None  # sha256 of the model file it loaded, set in __init__

    def __init__(self, options: BaseModel | None = None) -> None:
        self.options = options if options is not None else self.Options()
        self._specs = {s.name: s for s in self.signals}

    @classmethod
    def from_options(cls, raw: dict[str, Any] | None) -> Detector:
        return cls(cls.Options.model_validate(raw or {}))

    def applies_to(self, channel: Channel) -> bool:
        return not self.channels or channel in self.channels

    def load(self) -> None:
        """Load now what `check` would otherwise load on the first message that needs it
        (a model, a table): `Engine.warm_up` calls it, so that a gateway's first message
        does not wait for it and forked workers share it instead of each loading a copy."""

    def begin(self, view: Views, ctx: Context) -> None:
        """Start slow I/O (a network scanner) before any detector runs; `check` joins it.

        The engine calls `begin` on the detectors that override it, then every `check` in
        order, so the I/O overlaps the other detectors' work. Pending work travels in
        `view.memo` (one per event); `check` must collect it within its own deadline.
        """

    def check(self, view: Views, ctx: Context) -> Sequence[Finding]:
        raise NotImplementedError

    def reads(self, event: Event) -> Sequence[tuple[str, str]]:
        """State keys `check` may read for `event`, as (kind, key), kind `count`,
        `distinct` or `mark`: a hint for backends that fetch a batch's state in one round
        trip (`aupguard.batch`). A key left out is still read correctly, only later."""
        return ()

    def signal(self, name: str, strength: float = 1.0, *evidence: Evidence) -> Signal:
        """Build a signal this detector declared; strength is clamped to [0, 1]."""
        spec = self._specs[name]  # KeyError here means an undeclared signal: a bug
        return Signal(
            name=name,
            strength=min(1.0, max(0.0, strength)),
            deterministic=spec.deterministic,
            evidence=tuple(evidence),
            detector=self.name,
            detector_version=self.version,
        )


def excerpt(text: str, start: int, end: int, context: int = 40) -> str:
    """A short, PII-masked excerpt around text[start:end]."""
    lo, hi = max(0, start - context), min(len(text), end + context)
    # Widened before masking: a number cut at the window's edge would escape the mask.
    return " ".join(masked_window(text, lo, hi).split())[:200]
