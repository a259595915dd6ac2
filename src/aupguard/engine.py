"""normalize -> detectors -> judge: the pure core. It reads state, it never writes it."""

from __future__ import annotations

import time
from collections.abc import MutableMapping
from dataclasses import dataclass, field

from aupguard.aup.model import AupDocument
from aupguard.detectors.base import Detector
from aupguard.detectors.context import Context
from aupguard.detectors.registry import Registry
from aupguard.events.limits import Limits
from aupguard.events.model import Channel, Event
from aupguard.events.normalize import views_for
from aupguard.events.views import Views
from aupguard.rules.judge import DetectorFailure, judge
from aupguard.rules.model import Mode, Ruleset
from aupguard.rules.verdict import Verdict
from aupguard.signals import Evidence, Observation, Signal

Timings = MutableMapping[str, float]


@dataclass(frozen=True, slots=True)
class Evaluation:
    verdict: Verdict
    observations: tuple[Observation, ...]  # for `decide` to apply; empty on a dry run
    views: Views = field(repr=False)


class Engine:
    """Built once from a ruleset and a document; `evaluate` is then pure and reentrant."""

    def __init__(
        self,
        ruleset: Ruleset,
        document: AupDocument,
        registry: Registry | None = None,
        limits: Limits | None = None,
    ) -> None:
        self.ruleset = ruleset
        self.document = document
        self.registry = registry or Registry.from_plugins()
        self.limits = limits or Limits()
        order = list(ruleset.detectors) + sorted(
            set(self.registry.classes) - set(ruleset.detectors)
        )
        self.detectors: list[tuple[Detector, Mode]] = []
        for name in order:
            if name not in self.registry.classes:
                continue  # named in the ruleset but not installed: `policy check` reports it
            mode = ruleset.detector_mode(name)
            if mode is Mode.OFF:
                continue
            rules = ruleset.detectors.get(name)
            detector = self.registry.build(name, rules.options if rules else None)
            self.detectors.append((detector, mode))
        self.model_hashes = {d.name: d.model_hash for d, _ in self.detectors if d.model_hash}
        # Which detectors run on each channel, decided once rather than asked per event.
        self.by_channel = {
            ch: [(d, m) for d, m in self.detectors if d.applies_to(ch)] for ch in Channel
        }
        # Detectors with slow I/O (clamd) start it before the others run, so it overlaps.
        self.starters = [d for d, _ in self.detectors if type(d).begin is not Detector.begin]

    def warm_up(self) -> list[Verdict]:
        """Have every detector load what it loads on first use (`Detector.load`), then judge
        one synthetic e-mail, SMS and chat message as a dry run, so that models, lexicons
        and patterns load now, not inside the first real message's deadline (a gateway's or
        a worker's first message). Returns the verdicts."""
        from datetime import UTC, datetime

        from aupguard.events.model import EmailContent, MessageContent

        at = datetime(2026, 1, 1, tzinfo=UTC)
        raw = (
            b"From: Front Desk <desk@warm-up.invalid>\r\nTo: guest@example.org\r\n"
            b"Subject: Your appointment\r\nMIME-Version: 1.0\r\n"
            b'Content-Type: multipart/alternative; boundary="b"\r\n\r\n--b\r\n'
            b"Content-Type: text/plain\r\n\r\nSee you on Monday at 10.\r\n--b\r\n"
            b'Content-Type: text/html\r\n\r\n<p>See you on <a href="https://warm-up.invalid/'
            b'a">Monday</a>.</p>\r\n--b--\r\n'
        )
        text = "Your table is ready. Reply STOP to opt out."
        events = (
            Event("warm-up:email", Channel.EMAIL, EmailContent(raw), at),
            Event("warm-up:sms", Channel.SMS, MessageContent(text, sender_id="+15550100"), at),
            Event("warm-up:chat", Channel.CHAT, MessageContent(text), at),
        )
        for detector, _ in self.detectors:
            detector.load()  # what no synthetic message is sure to reach (second stages)
        return [self.evaluate(e, Context(now=at), dry_run=True).verdict for e in events]

    def unknown_signals(self) -> list[str]:
        """Signals the ruleset weighs that no registered detector can emit."""
        known = set(self.registry.signal_specs())
        return sorted(set(self.ruleset.clauses_of_signal) - known)

    def evaluate(
        self,
        event: Event,
        ctx: Context | None = None,
        *,
        dry_run: bool = False,
        timings: Timings | None = None,
        document_version: str | None = None,
    ) -> Evaluation:
        """Judge one event. With dry_run the observations are dropped (explain, eval)."""
        ctx = ctx or Context(now=event.time)
        clock = time.perf_counter
        views = views_for(event, self.limits)
        signals: list[Signal] = []
        observations: list[Observation] = []
        failures: list[DetectorFailure] = []
        for starter in self.starters:
            if starter.applies_to(event.channel):
                try:
                    starter.begin(views, ctx)
                except Exception:  # check() sees nothing pending and reports it
                    views.memo[f"{starter.name}:begin-failed"] = True
        for detector, mode in self.by_channel[event.channel]:
            started = clock()
            try:
                found = detector.check(views, ctx)
            except Exception as exc:  # a detector crash is a signal, never silence
                feeds = frozenset(s.name for s in detector.signals)
                message = f"{type(exc).__name__}: {exc}"[:300]
                failures.append(DetectorFailure(detector.name, feeds, message))
                signals.append(_error_signal(detector, message))
                found = ()
            if timings is not None:
                timings[detector.name] = timings.get(detector.name, 0.0) + clock() - started
            for item in found:
                if isinstance(item, Signal):
                    signals.append(_as_shadow(item) if mode is Mode.SHADOW else item)
                elif mode is Mode.ENFORCE:
                    observations.append(item)
        started = clock()
        verdict = judge(
            event.id,
            signals,
            self.ruleset,
            document_version or self.document.version,
            failures,
            self.model_hashes,
        )
        if timings is not None:
            timings["judge"] = timings.get("judge", 0.0) + clock() - started
        return Evaluation(verdict, () if dry_run else tuple(observations), views)


def _error_signal(detector: Detector, message: str) -> Signal:
    return Signal(
        "DETECTOR_ERROR",
        1.0,
        False,
        (Evidence(detector.name, detail=message),),
        detector.name,
        detector.version,
    )


def _as_shadow(sig: Signal) -> Signal:
    from dataclasses import replace

    return replace(sig, shadow=True)
