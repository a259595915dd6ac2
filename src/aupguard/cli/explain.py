"""`aupguard explain FILE`: the whole reasoning for each event in a file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from aupguard.cli.common import AupOption, RulesOption, console, fail, load_policy
from aupguard.engine import Engine, Evaluation
from aupguard.errors import InputError
from aupguard.events.email import EmailView
from aupguard.events.sources import read_file


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
    for item in read_file(path):
        if isinstance(item, InputError):
            console.print(f"{item.source}: error: {item.reason}", highlight=False)
            continue
        for line in explain_lines(engine.evaluate(item, dry_run=True)):
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
