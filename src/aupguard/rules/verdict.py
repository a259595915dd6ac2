"""The Verdict: the decision for one event, with clauses, signals, evidence and provenance."""

from __future__ import annotations

from dataclasses import dataclass

from aupguard.rules.model import Action, Mode
from aupguard.signals import Signal


@dataclass(frozen=True, slots=True)
class ClauseScore:
    clause: str
    score: float  # in [0, 1]
    action: Action  # what this clause alone calls for
    mode: Mode
    contributors: tuple[tuple[str, float], ...]  # (signal, weighted strength)
    deterministic: bool  # a contributing signal is a signature, hash or feed hit
    suppressed: tuple[str, ...] = ()  # signals an exception took out, with the reason below
    exception_reason: str = ""
    detector_error: bool = False

    @property
    def violated(self) -> bool:
        return self.mode is Mode.ENFORCE and self.action >= Action.FLAG


@dataclass(frozen=True, slots=True)
class Verdict:
    event_id: str
    action: Action
    clauses: tuple[ClauseScore, ...]  # every clause of the ruleset, also those scoring 0
    signals: tuple[Signal, ...]
    explanation: tuple[str, ...]
    document_version: str
    ruleset_version: str
    ruleset_hash: str
    model_hashes: tuple[tuple[str, str], ...] = ()
    shadow_action: Action = Action.ALLOW  # what shadow-mode clauses would have done

    @property
    def violated(self) -> tuple[ClauseScore, ...]:
        return tuple(c for c in self.clauses if c.violated)

    @property
    def scores(self) -> dict[str, float]:
        return {c.clause: round(c.score, 4) for c in self.clauses}

    @property
    def deterministic(self) -> bool:
        return any(c.deterministic for c in self.violated)
