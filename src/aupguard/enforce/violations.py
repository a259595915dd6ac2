"""From a verdict or a volume of reports to strikes, cases and ladder actions, braked."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aupguard.audit.chain import append as audit
from aupguard.aup.model import AupDocument
from aupguard.enforce.actions import ActionRequest, take
from aupguard.enforce.brakes import brake_reason
from aupguard.enforce.cases import add_item, distinct_violations, mark_fast_review, open_case
from aupguard.enforce.evidence import place_legal_hold
from aupguard.enforce.ladder import STRENGTH, already_taken, step_for
from aupguard.notify.notices import OperatorAlert
from aupguard.notify.route import notify_operators
from aupguard.notify.templates import render
from aupguard.rules.model import Action as Level
from aupguard.rules.model import Mode, Ruleset
from aupguard.rules.verdict import ClauseScore, Verdict
from aupguard.settings import Settings
from aupguard.store.models import Action, Case, Strike


@dataclass(frozen=True, slots=True)
class Subject:
    """Who and what an event's actions may target."""

    tenant_id: str
    event_id: str
    channel: str
    identity: str | None
    campaign: str | None
    agent: str | None

    def target(self, scope: str) -> str:
        value = {
            "tenant": "*",
            "channel": self.channel,
            "identity": self.identity,
            "campaign": self.campaign,
            "agent": self.agent,
        }.get(scope)
        return value or "*"


@dataclass(slots=True)
class Outcome:
    cases: list[Case] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)


def handle(
    session: Session,
    subject: Subject,
    verdict: Verdict,
    ruleset: Ruleset,
    document: AupDocument,
    now: datetime,
    settings: Settings,
    operator: str,
) -> Outcome:
    out = Outcome()
    for cs in verdict.clauses:
        if cs.mode is Mode.SHADOW and cs.action >= Level.FLAG:
            _shadow(session, subject, cs, ruleset, document, now, settings, out)
        elif cs.violated:
            violation = violation_of(verdict, cs, subject)
            apply_violation(
                session, subject, violation, ruleset, document, now, settings, operator, out
            )
    return out


def _strikes(session: Session, tenant: str, clause: str, since: datetime) -> int:
    q = select(func.count(Strike.id)).where(
        Strike.tenant_id == tenant,
        Strike.clause == clause,
        Strike.removed_by.is_(None),
        Strike.time >= since,
    )
    return int(session.execute(q).scalar_one())


def _taken(session: Session, case: Case) -> set[str]:
    rows = session.execute(
        select(Action.kind).where(
            Action.case_id == case.id, Action.state.in_(("effective", "pending_approval"))
        )
    )
    return {r[0] for r in rows}


@dataclass(frozen=True, slots=True)
class Violation:
    """One violation of a clause, from a verdict or from a volume of reports: what the case
    records and whether (and how far) it climbs the ladder."""

    clause: str
    item: dict[str, Any]  # the case item's body
    facts: tuple[str, ...]  # for the statement of reasons
    strike: bool  # False: recorded for review only (a flag on statistical evidence)
    deterministic: bool
    detectors: tuple[str, ...] = ()
    automatic_up_to: str = "terminate"  # stronger ladder steps wait for a person


def violation_of(verdict: Verdict, cs: ClauseScore, subject: Subject) -> Violation:
    """A verdict's violated clause as a Violation."""
    signals = [n for n, _ in cs.contributors]
    detectors = sorted(
        {f"{s.detector}@{s.detector_version}" for s in verdict.signals if s.name in signals}
    )
    return Violation(
        clause=cs.clause,
        item={"action": cs.action.label, "score": round(cs.score, 4), "signals": signals},
        facts=(
            f"Event {subject.event_id} on {subject.channel} violated {cs.clause} "
            f"(score {cs.score:.2f}; signals: {', '.join(signals)})",
        ),
        # a flag on statistical evidence alone is for review, not a strike
        strike=cs.action >= Level.HOLD or cs.deterministic,
        deterministic=cs.deterministic,
        detectors=tuple(detectors),
    )


def apply_violation(
    session: Session,
    subject: Subject,
    violation: Violation,
    ruleset: Ruleset,
    document: AupDocument,
    now: datetime,
    settings: Settings,
    operator: str,
    out: Outcome,
) -> None:
    """Case item, strike (once per subject event id) and the ladder step it calls for."""
    clause_id = violation.clause
    clause = document.by_id.get(clause_id)
    case = open_case(session, subject.tenant_id, clause_id, clause.severity if clause else 2, now)
    out.cases.append(case)
    add_item(session, case, "violation", subject.event_id, "system", violation.item, now)
    legal = sorted(
        set(ruleset.clauses[clause_id].legal_hold_on) & set(violation.item.get("signals", []))
    )
    if legal:
        place_legal_hold(session, case, subject.event_id, legal, now, operator)
    if not violation.strike:
        return
    try:
        with session.begin_nested():
            session.add(
                Strike(
                    tenant_id=subject.tenant_id,
                    clause=clause_id,
                    event_id=subject.event_id,
                    case_id=case.id,
                    deterministic=violation.deterministic,
                    detectors=list(violation.detectors),
                    time=now,
                )
            )
    except IntegrityError:
        return  # this event's strike exists: a redelivery adds nothing
    if not violation.deterministic:
        mark_fast_review(case, now)  # a model alone holds the traffic; a person decides
    ladder = ruleset.ladder_for(clause_id)
    strikes = _strikes(
        session, subject.tenant_id, clause_id, now - timedelta(days=ladder.window_days)
    )
    step = step_for(ladder, strikes)
    if step is None or already_taken(step, _taken(session, case)):
        return
    severe = STRENGTH[step.action] >= STRENGTH["suspend"]
    enough = distinct_violations(session, case) >= ladder.distinct_events_for_suspend
    capped = STRENGTH[step.action] > STRENGTH.get(violation.automatic_up_to, 4)
    if (
        capped
        or (step.needs_deterministic and not violation.deterministic)
        or (severe and not (violation.deterministic or enough))
    ):
        why = (
            f"this evidence acts automatically only up to {violation.automatic_up_to}"
            if capped
            else "automatic action needs deterministic evidence or more distinct events"
        )
        mark_fast_review(case, now)
        add_item(
            session,
            case,
            "note",
            f"ladder:{step.action}:{strikes}",
            "system",
            {"note": f"ladder reached {step.action} at {strikes} strikes; {why}: review"},
            now,
        )
        return
    state = "pending_approval" if step.needs_second_person else "effective"
    # A legal-hold match (CSAM) is exact hash evidence: it suspends even when the brake
    # holds back other automatic actions.
    braking = state == "effective" and not legal
    brake = brake_reason(session, ruleset.brakes, now) if braking else None
    if brake:
        state = "braked"
        audit(
            session,
            actor="system",
            kind="brake.tripped",
            subject=f"case:{case.id}",
            data={"reason": brake},
            time=now,
        )
        alert = OperatorAlert(
            brake="automatic actions",
            clause=clause_id,
            observed=ruleset.brakes.max_auto_actions_per_hour,
            threshold=ruleset.brakes.max_auto_actions_per_hour,
            window="1 hour",
            tripped_at=now,
            held_actions=1,
            console_url=f"{settings.public_url}/console",
            detail=brake,
        )
        notify_operators(
            session, render(alert), dedup_key=f"brake:{now:%Y%m%d%H}", emails=(operator,), now=now
        )
        mark_fast_review(case, now)
    facts = [
        *violation.facts,
        f"{strikes} strike(s) for this clause in the last {ladder.window_days} days",
    ]
    action = take(
        session,
        ActionRequest(
            tenant_id=subject.tenant_id,
            kind=step.action,
            actor="system",
            automated=True,
            reason=f"ladder step {step.strikes} strikes -> {step.action}",
            scope=step.scope,
            target=subject.target(step.scope),
            restriction=step.restriction if step.action == "restrict" else None,
            clause=clause_id,
            case=case,
            facts=tuple(facts),
            state=state,
        ),
        document,
        now,
        settings,
    )
    out.actions.append(action)


def _shadow(
    session: Session,
    subject: Subject,
    cs: ClauseScore,
    ruleset: Ruleset,
    document: AupDocument,
    now: datetime,
    settings: Settings,
    out: Outcome,
) -> None:
    """Record what the ladder would have done; change nothing a tenant can see."""
    ladder = ruleset.ladder_for(cs.clause)
    strikes = _strikes(
        session, subject.tenant_id, cs.clause, now - timedelta(days=ladder.window_days)
    )
    step = step_for(ladder, strikes + 1)
    if step is None:
        return
    out.actions.append(
        take(
            session,
            ActionRequest(
                tenant_id=subject.tenant_id,
                kind=step.action,
                actor="system",
                automated=True,
                reason=f"shadow: clause {cs.clause} is in shadow mode",
                scope=step.scope,
                target=subject.target(step.scope),
                clause=cs.clause,
                state="shadow",
                facts=(f"Event {subject.event_id} would have counted for {cs.clause}",),
            ),
            document,
            now,
            settings,
        )
    )
