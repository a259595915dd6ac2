"""The enforcement ladder: which step strikes within the window call for."""

from __future__ import annotations

from aupguard.rules.model import Ladder, LadderStep

STRENGTH = {"warn": 1, "restrict": 2, "suspend": 3, "terminate": 4}


def step_for(ladder: Ladder, strikes: int) -> LadderStep | None:
    """The highest step whose strike count is reached, or None below the first."""
    reached = [s for s in ladder.steps if strikes >= s.strikes]
    return reached[-1] if reached else None


def already_taken(step: LadderStep, taken: set[str]) -> bool:
    """A step is redundant when it or a stronger action is already in force in the case."""
    return any(STRENGTH.get(k, 0) >= STRENGTH[step.action] for k in taken)
