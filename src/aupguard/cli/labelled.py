"""Labelled text tables for `aupguard eval`: TSV (`label<TAB>text`) or CSV with a header."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from aupguard.aup.model import AupDocument
from aupguard.cli.scanning import ScanRow
from aupguard.engine import Engine
from aupguard.errors import InputError
from aupguard.events.model import Channel, Event, MessageContent
from aupguard.rules.model import Ruleset


def read_table(path: Path, label_column: str, text_column: str) -> list[tuple[str, str, str]]:
    """(label, text, source) per row; a row without label or text is an error naming it."""
    try:
        data = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the table ({exc})", str(path)) from None
    rows: list[tuple[str, str, str]] = []
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(io.StringIO(data))
        if not reader.fieldnames or {label_column, text_column} - set(reader.fieldnames):
            raise InputError(
                f"needs columns {label_column!r} and {text_column!r}; it has {reader.fieldnames}",
                str(path),
            )
        for n, rec in enumerate(reader, 2):
            label, text = (rec.get(label_column) or "").strip(), rec.get(text_column) or ""
            rows.append((label, text, f"{path}:{n}"))  # empty ones: reported by the caller
        return rows
    for n, line in enumerate(data.splitlines(), 1):
        if not line.strip():
            continue
        label, sep, text = line.partition("\t")
        if not sep or not label.strip():
            raise InputError(f"line {n}: expected a label, a tab, then the text", str(path))
        rows.append((label.strip(), text, f"{path}:{n}"))
    return rows


def unusable(rows: list[tuple[str, str, str]]) -> list[str]:
    """Sources of rows with an empty label or text (reported, then left out)."""
    return [source for label, text, source in rows if not label or not text.strip()]


def table_rows(
    rows: list[tuple[str, str, str]], channel: Channel, document: AupDocument, ruleset: Ruleset
) -> list[ScanRow]:
    """Each text judged as one message of `channel` (a dry run: no state changes)."""
    engine = Engine(ruleset, document)
    out: list[ScanRow] = []
    for _, text, source in rows:
        event = Event(id=source, channel=channel, content=MessageContent(text), source=source)
        v = engine.evaluate(event, dry_run=True).verdict
        out.append(
            ScanRow(
                source=source,
                event_id=event.id,
                channel=channel.value,
                action=v.action.label,
                clauses=tuple(c.clause for c in v.violated),
                scores=v.scores,
                signals=tuple(sorted({s.name for s in v.signals})),
            )
        )
    return out
