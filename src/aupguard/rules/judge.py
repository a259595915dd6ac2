"""Signals to a verdict: weights, exceptions, thresholds and modes from the ruleset."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from aupguard.rules.explain import explain
from aupguard.rules.model import Action, Mode, Ruleset, Thresholds
from aupguard.rules.verdict import ClauseScore, Verdict
from aupguard.signals import Signal

_ON_ERROR = {"allow": Action.ALLOW, "flag": Action.FLAG, "hold": Action.HOLD, "defer": Action.DEFER}


@dataclass(frozen=True, slots=True)
class DetectorFailure:
    detector: str
    feeds: frozenset[str]  # the signals the detector could have emitted
    message: str


def combine(weighted: Sequence[float]) -> float:
    """Noisy-OR of positive evidence, damped by negative evidence; always in [0, 1]."""
    keep = 1.0
    damp = 1.0
    for value in weighted:
        if value >= 0:
            keep *= 1.0 - min(1.0, value)
        else:
            damp *= 1.0 - min(1.0, -value)
    return max(0.0, min(1.0, (1.0 - keep) * damp))


def judge(
    event_id: str,
    signals: Sequence[Signal],
    ruleset: Ruleset,
    document_version: str,
    failures: Sequence[DetectorFailure] = (),
    model_hashes: Mapping[str, str] | None = None,
    _computing_quiet: bool = False,
) -> Verdict:
    if not signals and not failures and not _computing_quiet:
        quiet = _quiet_verdict(ruleset, document_version, model_hashes)
        # The constructor, not dataclasses.replace: most events take this path (~3x cheaper).
        return Verdict(
            event_id,
            quiet.action,
            quiet.clauses,
            quiet.signals,
            quiet.explanation,
            quiet.document_version,
            quiet.ruleset_version,
            quiet.ruleset_hash,
            quiet.model_hashes,
            quiet.shadow_action,
        )
    shape = tuple((s.name, s.strength, s.deterministic, s.shadow) for s in signals)
    memo_key = (ruleset.content_hash, shape)
    scored = None if failures else _SCORED.get(memo_key)
    if scored is None:
        scored = _score(signals, ruleset, failures)
        if not failures:
            if len(_SCORED) >= 4096:
                _SCORED.clear()
            _SCORED[memo_key] = scored
    scores, action, shadow_action = scored
    verdict = Verdict(
        event_id=event_id,
        action=action,
        clauses=scores,
        signals=tuple(signals),
        explanation=(),
        document_version=document_version,
        ruleset_version=ruleset.version,
        ruleset_hash=ruleset.content_hash,
        model_hashes=tuple(sorted((model_hashes or {}).items())),
        shadow_action=shadow_action,
    )
    return replace(verdict, explanation=explain(verdict, ruleset, failures))


Scored = tuple[tuple[ClauseScore, ...], Action, Action]
# Clause scores by the shape of the signals (names, strengths, kinds): an ongoing scan or
# campaign repeats the same shape event after event, and scoring every clause is most of
# the cost of a loud verdict. Evidence and explanation are still built per event.
_SCORED: dict[tuple[str, tuple[tuple[str, float, bool, bool], ...]], Scored] = {}


def _score(
    signals: Sequence[Signal], ruleset: Ruleset, failures: Sequence[DetectorFailure]
) -> Scored:
    """Every clause's score and action, and the verdict's enforced and shadow actions."""
    counted = [s for s in signals if not s.shadow]
    fired = {s.name for s in counted}
    strongest: dict[str, Signal] = {}
    for sig in counted:
        if sig.name not in strongest or sig.strength > strongest[sig.name].strength:
            strongest[sig.name] = sig
    scores: list[ClauseScore] = []
    idle = _idle_scores(ruleset)
    for clause, rules in ruleset.clauses.items():
        names, zero = idle[clause]
        if fired.isdisjoint(names) and not any(f.feeds & names for f in failures):
            scores.append(zero)  # nothing this clause weighs fired: most clauses, most events
            continue
        suppressed, reason = _suppressed(ruleset, clause, fired)
        contributors: list[tuple[str, float]] = []
        deterministic = False
        for name, weight in rules.signals.items():
            best = strongest.get(name)
            if best is None or name in suppressed:
                continue
            contributors.append((name, weight * best.strength))
            deterministic |= best.deterministic and weight > 0
        for combo in rules.combos:
            parts = [strongest.get(n) for n in combo.all_of]
            if all(p is not None and p.name not in suppressed for p in parts):
                strength = min(p.strength for p in parts if p is not None)
                contributors.append((combo.name, combo.weight * strength))
                deterministic |= combo.weight > 0 and all(p.deterministic for p in parts if p)
        score = combine([v for _, v in contributors])
        thresholds: Thresholds = ruleset.thresholds_for(clause)
        action = thresholds.action_for(score)
        errored = any(f.feeds & rules.signals.keys() for f in failures)
        if errored:
            on_error = rules.on_detector_error or ruleset.defaults.on_detector_error
            action = max(action, _ON_ERROR[on_error])
        hit_suppressed = tuple(sorted(suppressed & fired & rules.signals.keys()))
        scores.append(
            ClauseScore(
                clause,
                score,
                action,
                rules.mode,
                tuple(contributors),
                deterministic,
                hit_suppressed,
                reason if hit_suppressed else "",
                errored,
            )
        )
    enforced = [c.action for c in scores if c.mode is Mode.ENFORCE]
    shadow = [c.action for c in scores if c.mode is Mode.SHADOW]
    action = max(enforced, default=Action.ALLOW)
    return tuple(scores), action, max(shadow, default=Action.ALLOW)


_QUIET: dict[tuple[str, str, tuple[tuple[str, str], ...]], Verdict] = {}
_IDLE: dict[str, dict[str, tuple[frozenset[str], ClauseScore]]] = {}


def _idle_scores(ruleset: Ruleset) -> dict[str, tuple[frozenset[str], ClauseScore]]:
    """Per clause: the signals it weighs (alone or in combos) and its score when none of
    them fired, built once per ruleset hash instead of per event and clause."""
    idle = _IDLE.get(ruleset.content_hash)
    if idle is None:
        if len(_IDLE) > 64:
            _IDLE.clear()
        idle = {}
        for clause, rules in ruleset.clauses.items():
            names = frozenset(rules.signals).union(*(c.all_of for c in rules.combos))
            action = ruleset.thresholds_for(clause).action_for(combine(()))
            zero = ClauseScore(clause, combine(()), action, rules.mode, (), False)
            idle[clause] = (names, zero)
        _IDLE[ruleset.content_hash] = idle
    return idle


def _quiet_verdict(
    ruleset: Ruleset, document_version: str, model_hashes: Mapping[str, str] | None
) -> Verdict:
    """The verdict of an event no detector said anything about (most traffic), cached."""
    hashes = tuple(sorted((model_hashes or {}).items()))
    key = (ruleset.content_hash, document_version, hashes)
    verdict = _QUIET.get(key)
    if verdict is None:
        if len(_QUIET) > 64:
            _QUIET.clear()
        verdict = judge("", (), ruleset, document_version, (), model_hashes, _computing_quiet=True)
        _QUIET[key] = verdict
    return verdict


def _suppressed(ruleset: Ruleset, clause: str, fired: set[str]) -> tuple[set[str], str]:
    out: set[str] = set()
    reasons: list[str] = []
    for exc in ruleset.exceptions:
        if exc.clause == clause and fired.intersection(exc.when_any):
            out.update(exc.suppress or ruleset.clauses[clause].signals.keys())
            reasons.append(exc.reason)
    return out, "; ".join(reasons)
