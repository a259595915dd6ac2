"""`aupguard explain FILE`: the whole reasoning for each event in a file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from aupguard.cli.common import AupOption, RulesOption, console, fail, load_policy
from aupguard.cli.scanning import ACTIVITY_CHANNELS
from aupguard.detectors.context import Context
from aupguard.engine import Engine, Evaluation
from aupguard.errors import InputError
from aupguard.events.email import EmailView
from aupguard.events.model import AuthAttempt, CallRecord, Flow, HttpRequest
from aupguard.events.sources import read_file
from aupguard.state.memory import MemoryState


def explain(
    path: Annotated[Path, typer.Argument(help="A message, mbox, JSON Lines or other input.")],
    aup: AupOption = None,
    rules: RulesOption = None,
) -> None:
    """Print why each event in PATH gets its verdict: views, signals, scores, policy."""
    document, ruleset = load_policy(aup, rules)
    engine = Engine(ruleset, document)
    if not path.is_file():
        fail(f"{path}: not a file")
    state = MemoryState()  # activity adds up within the file, as in `aupguard scan`
    for item in read_file(path):
        if isinstance(item, InputError):
            console.print(f"{item.source}: error: {item.reason}", highlight=False)
            continue
        if item.channel in ACTIVITY_CHANNELS:
            evaluation = engine.evaluate(item, Context(state=state, now=item.time))
            state.apply(item.id, evaluation.observations, item.time)
        else:
            evaluation = engine.evaluate(item, dry_run=True)
        for line in explain_lines(evaluation):
            console.print(line, highlight=False, markup=False, soft_wrap=True)
        console.print()


def explain_lines(evaluation: Evaluation) -> list[str]:
    """The explanation as plain lines (also what the golden files hold)."""
    v, views = evaluation.verdict, evaluation.views
    event = views.event
    lines = [
        f"event {event.source or event.id}",
        f"  id: {event.id}",
        f"  channel: {event.channel}",
    ]
    if isinstance(views, EmailView):
        name, addr = views.from_address
        lines.append(f"  from: {name} <{addr}>" if name else f"  from: {addr}")
        lines.append(f"  subject: {views.subject}")
        lines.append(f"  message-id: {views.message_id}")
    record = _record_line(event.content)
    if record:
        lines.append(f"  record: {record}")
    parts = ", ".join(f"{tp.part}:{tp.role.value}" for tp in views.text_parts[:12])
    lines.append(f"  text parts: {parts or 'none'}")
    lines.append(f"  language: {views.language or 'unknown'}")
    lines.append(f"  urls: {len(views.urls)}")
    for ref in views.urls[:5]:
        anchor = f' (anchor "{ref.anchor_text[:40]}")' if ref.anchor_text else ""
        lines.append(f"    {ref.url[:100]}{anchor}")
    lines.append(f"  attachments: {len(views.attachments)}")
    for att in views.attachments[:10]:
        lines.append(
            f"    {att.part} {att.name or '(no name)'}: declared {att.declared_type}, "
            f"sniffed {att.sniffed_type}, {len(att.data)} bytes"
        )
    for hit in views.limit_hits:
        lines.append(f"  limit hit: {hit.limit}: {hit.detail}")
    lines.append("verdict")
    lines.extend("  " + line for line in v.explanation)
    lines.append("  scores: " + ", ".join(f"{k}={s:.2f}" for k, s in v.scores.items()))
    return lines


def _record_line(content: object) -> str:
    """One line for an activity record or call: who, what, outcome."""
    if isinstance(content, Flow):
        return (
            f"{content.proto} {content.src}:{content.src_port} -> {content.dst}:"
            f"{content.dst_port} state {content.state or '-'} history {content.flags or '-'} "
            f"bytes {content.bytes_out}/{content.bytes_in}"
        )
    if isinstance(content, HttpRequest):
        return f"{content.client} {content.method} {content.target[:120]} -> {content.status}"
    if isinstance(content, AuthAttempt):
        outcome = "success" if content.success else "failure"
        return f"{content.client} -> {content.target} as {content.username[:60]}: {outcome}"
    if isinstance(content, CallRecord):
        answered = "answered" if content.answered else "not answered"
        return (
            f"{content.caller} -> {content.callee} {answered}, {content.duration_s:.0f} s, "
            f"SIP {content.sip_code or '-'}, attestation {content.attestation or '-'}"
        )
    return ""
