"""YARA rules (yara-x) over every attachment and archive member: shipped rules plus user folders.

Rules are compiled once when the detector is built. User folders are checked for
changes (file names and mtimes) at most every `reload_check_s` seconds, never per
message; a change recompiles them, and a rule that no longer compiles keeps the last
good set and logs why.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from importlib.resources import files
from pathlib import Path

import yara_x
from pydantic import BaseModel, ConfigDict

from aupguard.detectors.base import (
    MESSAGE_CHANNELS,
    Detector,
    Evidence,
    Finding,
    SignalSpec,
)
from aupguard.detectors.context import Context
from aupguard.errors import ConfigError
from aupguard.events.views import Views

log = logging.getLogger(__name__)
_SUFFIXES = (".yar", ".yara")


class YaraOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rule_dirs: list[Path] = []  # folders of *.yar / *.yara files, added to the shipped rules
    shipped: bool = True  # include the rules under aupguard/detectors/yara/
    reload_check_s: float = 5.0  # how often (at most) user folders are checked for changes
    max_bytes: int = 16 * 1024 * 1024  # scan at most this much of each file
    timeout_s: int = 2  # per file; yara-x stops the scan and the file counts as unscanned


def _sources(dirs: Sequence[Path], shipped: bool) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if shipped:
        folder = files("aupguard.detectors") / "yara"
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if entry.name.endswith(_SUFFIXES):
                out.append((f"aupguard/{entry.name}", entry.read_text("utf-8")))
    for d in dirs:
        if not d.is_dir():
            raise ConfigError(f"yara rule folder {d} does not exist or is not a folder")
        for path in sorted(d.rglob("*")):
            if path.suffix in _SUFFIXES and path.is_file():
                out.append((str(path), path.read_text("utf-8", "replace")))
    return out


def compile_rules(dirs: Sequence[Path], shipped: bool = True) -> yara_x.Rules:
    """Compile every rule file, each in its own namespace; errors name the file."""
    compiler = yara_x.Compiler()
    for origin, text in _sources(dirs, shipped):
        compiler.new_namespace(Path(origin).stem)
        try:
            compiler.add_source(text, origin=origin)
        except yara_x.CompileError as exc:
            raise ConfigError(f"yara rule file {origin}: {exc}") from None
    return compiler.build()


def _fingerprint(dirs: Sequence[Path]) -> tuple[tuple[str, float], ...]:
    out: list[tuple[str, float]] = []
    for d in dirs:
        if d.is_dir():
            for p in d.rglob("*"):
                if p.suffix in _SUFFIXES:
                    try:
                        out.append((str(p), p.stat().st_mtime))
                    except OSError:
                        continue
    return tuple(sorted(out))


class YaraDetector(Detector):
    name = "yara"
    channels = MESSAGE_CHANNELS
    description = "Matches YARA rules (shipped and user folders) against attachments and members."
    signals = (
        SignalSpec("YARA_MATCH", "A YARA rule matched an attachment or archive member.", True),
    )
    Options = YaraOptions

    def __init__(self, options: BaseModel | None = None) -> None:
        super().__init__(options)
        assert isinstance(self.options, YaraOptions)
        self._lock = threading.Lock()
        self._dirs = list(self.options.rule_dirs)
        self._stamp = _fingerprint(self._dirs)
        self._rules = compile_rules(self._dirs, self.options.shipped)
        self._checked = time.monotonic()

    def rules(self) -> yara_x.Rules:
        """The compiled rules, recompiled when a user folder changed (checked at intervals)."""
        assert isinstance(self.options, YaraOptions)
        now = time.monotonic()
        if not self._dirs or now - self._checked < self.options.reload_check_s:
            return self._rules
        with self._lock:
            self._checked = now
            stamp = _fingerprint(self._dirs)
            if stamp != self._stamp:
                self._stamp = stamp
                try:
                    self._rules = compile_rules(self._dirs, self.options.shipped)
                    log.info("yara: recompiled rules from %s", ", ".join(map(str, self._dirs)))
                except (ConfigError, OSError) as exc:
                    log.error("yara: keeping the previous rules: %s", exc)
        return self._rules

    def check(self, view: Views, ctx: Context) -> Sequence[Finding]:
        if not view.attachments:
            return []
        assert isinstance(self.options, YaraOptions)
        scanner = yara_x.Scanner(self.rules())
        scanner.set_timeout(self.options.timeout_s)
        evidence: list[Evidence] = []
        seen: set[str] = set()
        for att in view.files:
            if not att.data:
                continue
            try:
                result = scanner.scan(att.data[: self.options.max_bytes])
            except (yara_x.TimeoutError, yara_x.ScanError) as exc:
                log.warning("yara: %s not fully scanned: %s", att.part, exc)
                continue
            for rule in result.matching_rules:
                key = f"{rule.namespace}.{rule.identifier}"
                if key not in seen:
                    seen.add(key)
                    evidence.append(Evidence(att.part, att.name[:120], detail=f"rule {key}"))
        return [self.signal("YARA_MATCH", 1.0, *evidence[:10])] if evidence else []
