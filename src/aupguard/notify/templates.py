"""Notice texts: pure functions from a typed notice to subject, plain-text body and payload."""

from __future__ import annotations

import textwrap
from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from aupguard.notify.notices import (
    ActionNotice,
    AppealOutcomeNotice,
    AupChangeNotice,
    ClauseText,
    EvidenceLine,
    Notice,
    OperatorAlert,
    RenderedNotice,
    ViolationNotice,
)

WIDTH = 72
POLICY = "Acceptable Use Policy"


def _fill(text: str, indent: str = "") -> str:
    return textwrap.fill(text, WIDTH, initial_indent=indent, subsequent_indent=indent)


def _when(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def _bullets(items: tuple[str, ...]) -> str:
    return "\n".join(
        textwrap.fill(i, WIDTH, initial_indent="  - ", subsequent_indent="    ") for i in items
    )


def _evidence(items: tuple[EvidenceLine, ...]) -> str:
    lines = []
    for e in items:
        text = f"{e.where}: {e.summary}" if e.where else e.summary
        if e.excerpt:
            text += f' ("{e.excerpt}")'
        lines.append(text)
    return _bullets(tuple(lines)) if lines else "  - (no evidence excerpt is kept for this case)"


def _clause(clause: ClauseText, indent: str = "") -> str:
    head = f"Clause {clause.id!r} ({clause.title}) of our {POLICY}, version "
    head += f"{clause.document_version}, which reads:"
    return _fill(head, indent) + "\n" + _fill(clause.text, indent + "  > ")


def _json(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    return value


def _payload(kind: str, notice: Notice) -> dict[str, Any]:
    return {"notice": kind, **_json(asdict(notice))}


def _detected(automatically: bool) -> str:
    if automatically:
        return "The activity was detected by automated means (our scanning of the traffic)."
    return "The activity was identified by a person (a report or a review)."


def render_violation(n: ViolationNotice) -> RenderedNotice:
    """A violation was recorded in a case; no action has been taken (yet)."""
    parts = [
        f"Dear {n.tenant_name},",
        _fill(
            f"We found activity on your account that appears to violate our {POLICY}. "
            "It has been recorded in a case; no action has been taken on your services "
            "because of it at this point."
        ),
        f"Case:    {n.case_ref}\nEvent:   {n.event_id} ({n.channel}, {_when(n.event_time)})",
        "What we found\n" + _bullets(n.facts),
        "Evidence\n" + _evidence(n.evidence),
        _clause(n.clause),
        _fill(_detected(n.detected_automatically)),
        "What happens next\n" + _fill(n.what_next, "  "),
    ]
    respond = f"at {n.respond_url} " if n.respond_url else ""
    parts.append(
        _fill(f"If you think we are mistaken, tell us {respond}quoting case {n.case_ref}.")
    )
    subject = f"[{n.case_ref}] Possible {POLICY} violation: {n.clause.title}"
    return RenderedNotice("violation", subject, "\n\n".join(parts) + "\n", _payload("violation", n))


CHANNELS = {"email": "e-mail", "sms": "SMS", "calls": "calling", "activity": "network"}


def _scope(n: ActionNotice) -> str:
    return {
        "tenant": "all services of your account",
        "channel": f"your {CHANNELS.get(n.target, n.target)} service",
        "identity": f"your sender identity {n.target}",
        "campaign": f"your campaign {n.target}",
        "agent": f"agent {n.target} on your account",
    }[n.scope]


def _headline(n: ActionNotice) -> str:
    scope = _scope(n)
    period = f"from {_when(n.effective_at)}"
    period += f" until {_when(n.until)}" if n.until else ""
    if n.action == "warn":
        return f"This is a formal warning under our {POLICY} concerning {scope}."
    if n.action == "restrict":
        how = f" ({n.restriction})" if n.restriction else ""
        return f"We have restricted {scope}{how} under our {POLICY}, {period}."
    verb = {"suspend": "suspended", "terminate": "terminated", "reinstate": "reinstated"}
    return f"We have {verb[n.action]} {scope} under our {POLICY}, {period}."


def _automation(n: ActionNotice) -> str:
    decided = (
        "The decision was taken automatically, without a person reviewing it first; "
        "an appeal is always reviewed by a person."
        if n.decided_automatically
        else "The decision was taken by a person after reviewing the case."
    )
    return _fill(f"{_detected(n.detected_automatically)} {decided}", "  ")


def _appeal(n: ActionNotice) -> str:
    if n.appeal is None:
        return "  No appeal is needed: this notice lifts an earlier action."
    by = f" by {n.appeal.deadline:%Y-%m-%d}" if n.appeal.deadline else ""
    return _fill(
        f"You may appeal this decision{by} at {n.appeal.url}, quoting {n.appeal.reference}. "
        "Say why you think the decision is wrong and add anything that supports it.",
        "  ",
    )


def render_action(n: ActionNotice) -> RenderedNotice:
    """An action notice whose body is a statement of reasons."""
    parts = [
        f"Dear {n.tenant_name},",
        _fill(_headline(n)),
        "STATEMENT OF REASONS",
        f"Decision:   {n.action} ({n.scope}: {n.target})\n"
        f"Reference:  action {n.action_ref}, case {n.case_ref}\n"
        f"Effective:  {_when(n.effective_at)}" + (f" until {_when(n.until)}" if n.until else ""),
        "Facts and circumstances\n" + _bullets(n.facts),
        "Evidence\n" + _evidence(n.evidence),
        "Ground for the decision\n" + _clause(n.clause, "  "),
        "Use of automated means\n" + _automation(n),
        "What happens next\n" + _fill(n.what_next, "  "),
        "How to appeal\n" + _appeal(n),
    ]
    subject_action = {
        "warn": "Warning",
        "restrict": "Service restricted",
        "suspend": "Service suspended",
        "terminate": "Service terminated",
        "reinstate": "Service reinstated",
    }[n.action]
    subject = f"[{n.case_ref}] {subject_action}: {n.clause.title}"
    return RenderedNotice("action", subject, "\n\n".join(parts) + "\n", _payload("action", n))


def render_appeal_outcome(n: AppealOutcomeNotice) -> RenderedNotice:
    """A reviewer upheld or overturned the appealed action."""
    if n.outcome == "overturned":
        verdict = (
            f"We reviewed your appeal {n.appeal_ref} and reversed our decision "
            f"{n.action_ref}. The action is lifted and the strike it carried is removed."
        )
        subject = f"[{n.case_ref}] Appeal {n.appeal_ref}: decision reversed"
    else:
        verdict = (
            f"We reviewed your appeal {n.appeal_ref} and confirmed our decision "
            f"{n.action_ref}. The action stays in force."
        )
        subject = f"[{n.case_ref}] Appeal {n.appeal_ref}: decision confirmed"
    parts = [
        f"Dear {n.tenant_name},",
        _fill(verdict),
        f"Decided:  {_when(n.decided_at)}, by a person",
        "Reason\n" + _fill(n.reason, "  "),
        "What happens next\n" + _fill(n.what_next, "  "),
    ]
    return RenderedNotice("appeal", subject, "\n\n".join(parts) + "\n", _payload("appeal", n))


def render_aup_change(n: AupChangeNotice) -> RenderedNotice:
    """A new AUP version: what changed, when it takes effect, how to accept it."""
    replaces = f" and replaces version {n.previous_version}" if n.previous_version else ""
    accept = f"Accept it at {n.accept_url}. " if n.accept_url else ""
    parts = [
        f"Dear {n.tenant_name},",
        _fill(
            f"We have published version {n.version} of our {n.title}. It takes effect on "
            f"{n.effective:%Y-%m-%d}{replaces}."
        ),
        "What changed\n" + _bullets(n.changes),
        f"Read the full text: {n.document_url}",
        "How to accept\n"
        + _fill(
            f"{accept}Using the services after it takes effect accepts it. If you do not "
            "accept the new version, stop using the services before that date and tell us.",
            "  ",
        ),
    ]
    subject = f"{n.title} {n.version} takes effect on {n.effective:%Y-%m-%d}"
    return RenderedNotice(
        "aup-change", subject, "\n\n".join(parts) + "\n", _payload("aup-change", n)
    )


def render_operator_alert(n: OperatorAlert) -> RenderedNotice:
    """For operators: a brake stopped automatic actions."""
    about = f" ({n.clause})" if n.clause else ""
    parts = [
        _fill(
            f"The brake {n.brake!r}{about} tripped at {_when(n.tripped_at)} and stopped "
            "automatic actions."
        ),
        f"Observed:  {n.observed} automatic actions in {n.window} (threshold {n.threshold})\n"
        f"Held:      {n.held_actions} actions wait for a person's review",
    ]
    if n.detail:
        parts.append(_fill(n.detail))
    where = f" at {n.console_url}" if n.console_url else ""
    parts.append(
        _fill(
            f"Review the held actions{where}: approve those that are right, and check the "
            "ruleset or model that produced the jump before releasing the brake."
        )
    )
    subject = f"[aupguard] Brake tripped: {n.brake}{about}"
    return RenderedNotice("alert", subject, "\n\n".join(parts) + "\n", _payload("alert", n))


def render(notice: Notice) -> RenderedNotice:
    """Render any notice by its type."""
    if isinstance(notice, ViolationNotice):
        return render_violation(notice)
    if isinstance(notice, ActionNotice):
        return render_action(notice)
    if isinstance(notice, AppealOutcomeNotice):
        return render_appeal_outcome(notice)
    if isinstance(notice, AupChangeNotice):
        return render_aup_change(notice)
    return render_operator_alert(notice)
