"""The brake: automatic actions stop (and alert) when their rate jumps."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aupguard.rules.model import Brakes
from aupguard.store.models import Action


def brake_reason(session: Session, brakes: Brakes, now: datetime) -> str | None:
    """Why automatic actions must stop now, or None. Counts the last hour vs the last day."""

    def automatic_since(start: datetime) -> int:
        q = select(func.count(Action.id)).where(
            Action.automated.is_(True),
            Action.created_at >= start,
            Action.state.in_(("effective", "pending_approval")),
            Action.kind != "warn",
        )
        return int(session.execute(q).scalar_one())

    last_hour = automatic_since(now - timedelta(hours=1))
    if last_hour >= brakes.max_auto_actions_per_hour:
        return (
            f"{last_hour} automatic actions in the last hour "
            f"(limit {brakes.max_auto_actions_per_hour})"
        )
    day = automatic_since(now - timedelta(hours=24)) - last_hour
    baseline = max(1.0, day / 23)
    if last_hour >= 3 and last_hour > brakes.jump_factor * baseline:
        return (
            f"automatic actions jumped to {last_hour} in the last hour "
            f"(> {brakes.jump_factor:g}x the day's hourly mean {baseline:.1f})"
        )
    return None
