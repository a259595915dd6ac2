"""`aupguard eval --evalset/--corpus`: labelled JSONL sets and public corpora, per clause."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aupguard.aup.model import AupDocument
from aupguard.detectors.context import Context
from aupguard.engine import Engine
from aupguard.events.model import Event
from aupguard.metrics import average_precision, quality
from aupguard.rules.model import Action, Ruleset

# public corpus -> (reader, labels counted as violating, labels counted as not violating)
CORPORA = {
    "smishing-mishra-soni": ("smishing", {"smishing"}, {"ham"}),
    "radicalization-tweets": ("radicalization", {"pro"}, {"con"}),
    "hate-speech-davidson": ("davidson", set(), {"hate", "offensive", "neither"}),
    "sms-spam-collection": ("sms_collection", set(), {"ham"}),
    "spamassassin-public": ("spamassassin", set(), {"easy-ham-1", "easy-ham-2", "hard-ham-1"}),
}


@dataclass(frozen=True, slots=True)
class Judged:
    label: int
    lang: str
    score: float
    hit: bool
    unsupported: bool  # LANGUAGE_UNSUPPORTED fired: no clean pass was claimed
    second_stage: bool  # a content model ran its second stage


def judge_all(
    engine: Engine, items: Iterable[tuple[Event, int, str, Context]], clause: str, bar: Action
) -> list[Judged]:
    out = []
    for event, label, lang, ctx in items:
        v = engine.evaluate(event, ctx, dry_run=True).verdict
        names = {s.name for s in v.signals}
        second = any("second stage" in e.detail for s in v.signals for e in s.evidence)
        hit = v.action >= bar and clause in {c.clause for c in v.violated}
        score = v.scores.get(clause, 0.0)
        out.append(Judged(label, lang, score, hit, "LANGUAGE_UNSUPPORTED" in names, second))
    return out


def summary(rows: list[Judged]) -> dict[str, Any]:
    """Precision, recall, AUPRC and hard-negative flag rate; English and the rest apart."""
    result: dict[str, Any] = {}
    for name, part in (
        ("all", rows),
        ("en", [r for r in rows if r.lang == "en"]),
        ("other", [r for r in rows if r.lang != "en"]),
    ):
        if not part:
            continue
        labels = [r.label == 1 for r in part]
        q = quality(labels, [r.hit for r in part])
        negatives = [r for r in part if r.label == 0]
        missed = [r for r in part if r.label == 1 and not r.hit]
        result[name] = {
            "items": len(part),
            "positives": sum(labels),
            "tp": q.tp,
            "fp": q.fp,
            "fn": q.fn,
            "tn": q.tn,
            "precision": round(q.precision, 4),
            "recall": round(q.recall, 4),
            "auprc": round(average_precision(labels, [r.score for r in part]), 4)
            if any(labels)
            else None,
            "negatives_flagged": round(q.fp / len(negatives), 4) if negatives else None,
            "missed_but_unsupported_language": sum(r.unsupported for r in missed),
            "second_stage_rate": round(sum(r.second_stage for r in part) / len(part), 4),
        }
    return result


def evalset_items(path: Path) -> Iterable[tuple[Event, int, str, Context]]:
    from aupguard.content.evalset import load_evalset

    evalset = load_evalset(path)
    for item in evalset.items:
        yield item.event, item.label, item.lang, evalset.context(item)


def corpus_items(root: Path, name: str, limit: int) -> Iterable[tuple[Event, int, str, Context]]:
    from aupguard.content import corpora

    reader_name, positive, negative = CORPORA[name]
    reader = getattr(corpora, reader_name)
    trained = {i.event.id for i in corpora.training_negatives(root).get(name, [])}
    # Items the shipped models were trained on are left out: held-out numbers only.
    items = [
        i for i in reader(root) if i.label in positive | negative and i.event.id not in trained
    ]
    for item in corpora.sample(items, limit, f"eval-{name}") if limit else items:
        label = 1 if item.label in positive else 0
        yield item.event, label, "en", Context(now=item.event.time)


def run(
    document: AupDocument,
    ruleset: Ruleset,
    items: Iterable[tuple[Event, int, str, Context]],
    clause: str,
    bar: Action,
) -> dict[str, Any]:
    engine = Engine(ruleset, document)
    return summary(judge_all(engine, items, clause, bar))
