"""The engine loop: detectors by channel and mode, crashes as signals, dry runs."""

from __future__ import annotations

from collections.abc import Sequence

from aupguard.aup.load import load_document
from aupguard.detectors.base import Detector, Evidence, Finding, Observation, SignalSpec
from aupguard.detectors.context import Context
from aupguard.detectors.eicar import EicarDetector
from aupguard.detectors.registry import Registry
from aupguard.engine import Engine
from aupguard.events.model import Channel, Event, MessageContent
from aupguard.events.views import Views
from aupguard.rules.load import load_ruleset
from aupguard.rules.model import Action, Ruleset


class Crashing(Detector):
    name = "crashing"
    description = "Always raises, to prove a crash becomes DETECTOR_ERROR."
    signals = (SignalSpec("EICAR", "reuses a malware signal so the crash feeds malware"),)

    def check(self, view: Views, ctx: Context) -> Sequence[Finding]:
        raise RuntimeError("parser exploded")


class Counting(Detector):
    name = "counting"
    description = "Emits an observation for every SMS and a signal for the word 'spam'."
    channels = frozenset({Channel.SMS})
    signals = (SignalSpec("GTUBE", "stands in for a spam signal"),)

    def check(self, view: Views, ctx: Context) -> Sequence[Finding]:
        out: list[Finding] = [Observation("count", f"tenant:{view.event.tenant}")]
        if "spam" in view.tenant_text:
            out.append(self.signal("GTUBE", 1.0, Evidence("text", "spam")))
        return out


def sms(text: str) -> Event:
    return Event(id="e1", channel=Channel.SMS, content=MessageContent(text), tenant="t1")


def engine(*classes: type[Detector], ruleset: Ruleset | None = None) -> Engine:
    doc = load_document()
    return Engine(ruleset or load_ruleset(document=doc), doc, Registry(classes))


def test_crash_becomes_detector_error_and_holds_malware() -> None:
    ev = engine(Crashing).evaluate(sms("hello"))
    v = ev.verdict
    assert v.action is Action.HOLD
    assert any(s.name == "DETECTOR_ERROR" and s.detector == "crashing" for s in v.signals)
    assert next(c for c in v.clauses if c.clause == "malware").detector_error


def test_observations_returned_unless_dry_run() -> None:
    e = engine(Counting)
    assert len(e.evaluate(sms("hi")).observations) == 1
    assert e.evaluate(sms("hi"), dry_run=True).observations == ()


def test_channel_filter_skips_detector() -> None:
    e = engine(Counting)
    email = Event(id="m", channel=Channel.CHAT, content=MessageContent("spam"))
    assert e.evaluate(email).verdict.signals == ()


def test_detector_modes_shadow_and_off() -> None:
    base = load_ruleset().model_dump(mode="json")
    base["detectors"]["counting"] = {"mode": "shadow"}
    shadow = engine(Counting, ruleset=Ruleset.model_validate(base))
    v = shadow.evaluate(sms("spam")).verdict
    assert v.action is Action.ALLOW and v.signals[0].shadow
    assert shadow.evaluate(sms("spam")).observations == ()  # shadow detectors remember nothing
    base["detectors"]["counting"] = {"mode": "off"}
    off = engine(Counting, ruleset=Ruleset.model_validate(base))
    assert off.evaluate(sms("spam")).verdict.signals == ()


def test_registry_from_plugins_finds_builtins_through_entry_points() -> None:
    reg = Registry.from_plugins()
    assert {"eicar", "gtube", "limits", "language"} <= set(reg.classes)
    assert reg.signal_specs()["EICAR"][0] == "eicar"


def test_unknown_signals_are_reported() -> None:
    assert "GTUBE" in engine(EicarDetector).unknown_signals()


def test_warm_up_judges_each_channel_with_every_shipped_detector_cleanly() -> None:
    engine = Engine(load_ruleset(), load_document())
    verdicts = engine.warm_up()
    assert [v.event_id for v in verdicts] == ["warm-up:email", "warm-up:sms", "warm-up:chat"]
    errors = [s for v in verdicts for s in v.signals if s.name == "DETECTOR_ERROR"]
    assert errors == []
    assert all(not v.violated for v in verdicts)  # an ordinary message, nothing to see


def test_warm_up_loads_what_no_synthetic_message_reaches() -> None:
    """The second-stage encoder, the language model, oletools and the homoglyph table load
    on first use; warm_up must load them (forked scan workers share them, a gateway's first
    message does not wait for them), which no English synthetic message is sure to do.
    A fresh interpreter, so nothing another test loaded counts."""
    import subprocess
    import sys

    probe = """
import sys
import py3langid.langid
from aupguard.aup.load import load_document
from aupguard.content.models import encoder
from aupguard.detectors.lookalike import _confusable_map
from aupguard.engine import Engine
from aupguard.rules.load import load_ruleset
Engine(load_ruleset(), load_document()).warm_up()
print(encoder.cache_info().currsize, _confusable_map.cache_info().currsize,
      py3langid.langid.IDENTIFIER is not None, "oletools.olevba" in sys.modules)
"""
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["1", "1", "True", "True"]
