"""A verdict in words: which clause, which signals, which evidence, which policy."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from aupguard.rules.model import Action, Mode, Ruleset
from aupguard.rules.verdict import ClauseScore, Verdict

if TYPE_CHECKING:
    from aupguard.rules.judge import DetectorFailure


def explain(
    verdict: Verdict, ruleset: Ruleset, failures: Sequence[DetectorFailure] = ()
) -> tuple[str, ...]:
    policy = (
        f"  policy: AUP {verdict.document_version}, ruleset {verdict.ruleset_version} "
        f"({verdict.ruleset_hash[:12]})"
    )
    if not verdict.signals and not failures:
        return ("ALLOW: no clause violated, no signal", policy)
    lines = [f"{verdict.action.label.upper()}: " + _headline(verdict)]
    for cs in sorted(verdict.clauses, key=lambda c: (-c.action, -c.score, c.clause)):
        if cs.action is Action.ALLOW and not cs.contributors and not cs.suppressed:
            continue
        lines.append(_clause_line(cs, ruleset))
        for name, value in cs.contributors:
            sig = next((s for s in verdict.signals if s.name == name and not s.shadow), None)
            if sig is None:  # a combo: its parts are listed on their own lines
                lines.append(f"    {name} {value:+.2f} (combination)")
                continue
            kind = "deterministic" if sig.deterministic else "statistical"
            lines.append(
                f"    {name} {value:+.2f} ({kind}, {sig.detector} v{sig.detector_version})"
            )
            for ev in sig.evidence[:3]:
                where = ev.part + (f" @{ev.start}" if ev.start is not None else "")
                text = " ".join(x for x in (ev.excerpt, ev.detail) if x)
                lines.append(f"      at {where}: {text}" if text else f"      at {where}")
        if cs.suppressed:
            lines.append(f"    not counted: {', '.join(cs.suppressed)} ({cs.exception_reason})")
    for failure in failures:
        lines.append(f"  DETECTOR_ERROR in {failure.detector}: {failure.message}")
    counted = {n for c in verdict.clauses for n, _ in c.contributors}
    other = sorted({s.name for s in verdict.signals} - counted)
    if other:
        lines.append("  other signals (no weight in this ruleset or shadow): " + ", ".join(other))
    lines.append(policy)
    return tuple(lines)


def _headline(verdict: Verdict) -> str:
    hit = [c.clause for c in verdict.violated]
    if not hit:
        return "no clause violated"
    return "violates " + ", ".join(hit)


def _clause_line(cs: ClauseScore, ruleset: Ruleset) -> str:
    th = ruleset.thresholds_for(cs.clause)
    level = getattr(th, cs.action.label, None) if cs.action is not Action.ALLOW else None
    bar = f" >= {cs.action.label} {level:.2f}" if level is not None else ""
    mode = "" if cs.mode is Mode.ENFORCE else f" [{cs.mode.value}: not acted on]"
    err = " [detector error]" if cs.detector_error else ""
    return f"  {cs.clause}: score {cs.score:.2f}{bar} -> {cs.action.label}{mode}{err}"
