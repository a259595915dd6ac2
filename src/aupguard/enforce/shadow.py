"""Shadow results of a draft ruleset: recorded signals judged again, before publishing."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from aupguard.rules.judge import judge
from aupguard.rules.model import Ruleset
from aupguard.signals import Signal
from aupguard.store.models import VerdictRecord


@dataclass(frozen=True, slots=True)
class ShadowResult:
    evaluated: int
    changed: int
    transitions: dict[str, dict[str, int]]  # current action -> draft action -> count


def shadow_results(session: Session, draft: Ruleset, sample: int = 1000) -> ShadowResult:
    """Re-judge the signals of the last `sample` kept verdicts with `draft` (pure, no I/O)."""
    rows = session.execute(select(VerdictRecord).order_by(VerdictRecord.id.desc()).limit(sample))
    counts: Counter[tuple[str, str]] = Counter()
    for row in rows.scalars():
        signals = [
            Signal(
                s["name"],
                float(s["strength"]),
                bool(s["deterministic"]),
                (),
                s["detector"],
                s["version"],
                bool(s.get("shadow", False)),
            )
            for s in row.signals
        ]
        new = judge(row.event_id, signals, draft, row.document_version)
        counts[(row.action, new.action.label)] += 1
    transitions: dict[str, dict[str, int]] = {}
    for (old, new_action), n in counts.items():
        transitions.setdefault(old, {})[new_action] = n
    changed = sum(n for (old, new_action), n in counts.items() if old != new_action)
    return ShadowResult(sum(counts.values()), changed, transitions)
