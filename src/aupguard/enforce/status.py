"""Status derived from actions, versioned per channel and identity, and a fast cache of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from threading import Lock

from sqlalchemy import select
from sqlalchemy.orm import Session

from aupguard.store.db import Store
from aupguard.store.models import Action, StatusRow, StatusVersion

SEVERITY = {
    "active": 0,
    "restricted:throttle": 1,
    "restricted:defer": 2,
    "restricted:block": 3,
    "suspended": 4,
    "terminated": 5,
}


@dataclass(frozen=True, slots=True)
class Status:
    state: str  # active, restricted, suspended, terminated
    restriction: str | None = None
    case_id: int | None = None
    action_id: int | None = None

    @property
    def severity(self) -> int:
        key = f"restricted:{self.restriction}" if self.state == "restricted" else self.state
        return SEVERITY.get(key, 0)


ACTIVE = Status("active")


def status_key(scope: str, target: str) -> tuple[str, str]:
    """(channel, identity) a scoped action applies to; '*' means all."""
    if scope == "tenant":
        return ("*", "*")
    if scope == "channel":
        return (target, "*")
    if scope in ("campaign", "agent"):
        return ("*", f"{scope}:{target}")
    return ("*", target)


def derive(actions: list[Action]) -> dict[tuple[str, str], Status]:
    """Replay effective actions in order: the status is a function of the actions."""
    out: dict[tuple[str, str], Status] = {}
    for a in actions:
        key = status_key(a.scope, a.target)
        if a.kind == "reinstate":
            if key == ("*", "*"):
                out.clear()
            else:
                out.pop(key, None)
        elif a.kind == "restrict":
            out[key] = Status("restricted", a.restriction or "block", a.case_id, a.id)
        elif a.kind in ("suspend", "terminate"):
            out[key] = Status(
                "suspended" if a.kind == "suspend" else "terminated", None, a.case_id, a.id
            )
    return out


def recompute(session: Session, tenant_id: str, now: datetime) -> bool:
    """Rewrite the tenant's status rows from its actions; bump versions when anything changed."""
    actions = list(
        session.execute(
            select(Action)
            .where(Action.tenant_id == tenant_id, Action.state == "effective")
            .order_by(Action.id)
        ).scalars()
    )
    wanted = derive(actions)
    rows = {
        (r.channel, r.identity): r
        for r in session.execute(
            select(StatusRow).where(StatusRow.tenant_id == tenant_id)
        ).scalars()
    }
    changed = False
    for key in set(wanted) | set(rows):
        status = wanted.get(key, ACTIVE)
        row = rows.get(key)
        if row is None:
            session.add(
                StatusRow(
                    tenant_id=tenant_id,
                    channel=key[0],
                    identity=key[1],
                    state=status.state,
                    restriction=status.restriction,
                    case_id=status.case_id,
                    action_id=status.action_id,
                    version=1,
                    updated_at=now,
                )
            )
            changed = True
        elif (row.state, row.restriction, row.action_id) != (
            status.state,
            status.restriction,
            status.action_id,
        ):
            row.state, row.restriction = status.state, status.restriction
            row.case_id, row.action_id = status.case_id, status.action_id
            row.version += 1
            row.updated_at = now
            changed = True
    if changed:
        bump_version(session)
    return changed


def bump_version(session: Session) -> int:
    row = session.get(StatusVersion, 1, with_for_update=True)
    if row is None:
        row = StatusVersion(id=1, version=0)
        session.add(row)
    row.version += 1
    session.flush()
    return row.version


def current_version(session: Session) -> int:
    row = session.get(StatusVersion, 1)
    return row.version if row else 0


class StatusCache:
    """Answers "may T send on C now?" from memory; reloads when the status version moves.

    `check` costs a few dict look-ups. `refresh` reads one row (the version) and reloads
    everything only when it changed; callers refresh on their own schedule (the decision
    component after every change it commits, gateways by polling every <= 500 ms).
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self.version = -1
        self._by_tenant: dict[str, dict[tuple[str, str], Status]] = {}
        self._lock = Lock()

    def refresh(self) -> bool:
        with self.store.read() as s:
            version = current_version(s)
            if version == self.version:
                return False
            table: dict[str, dict[tuple[str, str], Status]] = {}
            for r in s.execute(select(StatusRow).where(StatusRow.state != "active")).scalars():
                table.setdefault(r.tenant_id, {})[(r.channel, r.identity)] = Status(
                    r.state, r.restriction, r.case_id, r.action_id
                )
        with self._lock:
            self._by_tenant, self.version = table, version
        return True

    def has_status(self, tenant: str | None) -> bool:
        """Whether any status other than active is on record for the tenant (a cheap pre-check
        that lets callers skip working out identity and campaign keys)."""
        return tenant is not None and tenant in self._by_tenant

    def check(self, tenant: str | None, channel: str, identities: tuple[str, ...] = ()) -> Status:
        """The most severe status that applies to this tenant, channel and identities."""
        if tenant is None:
            return ACTIVE
        table = self._by_tenant.get(tenant)
        if not table:
            return ACTIVE
        worst = ACTIVE
        keys = [("*", "*"), (channel, "*")] + [("*", i) for i in identities]
        for key in keys:
            status = table.get(key)
            if status is not None and status.severity > worst.severity:
                worst = status
        return worst
