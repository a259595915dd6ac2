"""Readers for the public corpora the content models are trained and measured on.

Only `sms-spam-collection`, `spamassassin-public`, `hate-speech-davidson` and
`radicalization-tweets` may feed a shipped model (INDEX.md licences);
`smishing-mishra-soni` states no licence and is read for evaluation only.
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from aupguard.events.model import Channel, Event, MessageContent
from aupguard.events.sources import email_event

SHIPPABLE = frozenset(
    {"sms-spam-collection", "spamassassin-public", "hate-speech-davidson", "radicalization-tweets"}
)


@dataclass(frozen=True, slots=True)
class CorpusItem:
    corpus: str
    label: str  # the corpus's own label (ham, spam, smishing, pro, con, hate, ...)
    event: Event


def _sms(corpus: str, label: str, n: int, text: str) -> CorpusItem:
    return CorpusItem(corpus, label, Event(f"{corpus}:{n}", Channel.SMS, MessageContent(text)))


def sms_collection(root: Path) -> Iterator[CorpusItem]:
    path = root / "sms-spam-collection" / "SMSSpamCollection"
    for n, line in enumerate(path.read_text("utf-8", errors="replace").splitlines()):
        label, _, text = line.partition("\t")
        if text:
            yield _sms("sms-spam-collection", label, n, text)


def smishing(root: Path) -> Iterator[CorpusItem]:
    path = root / "smishing-mishra-soni" / "Dataset_5971.csv"
    with path.open(encoding="utf-8", errors="replace", newline="") as f:
        for n, row in enumerate(csv.DictReader(f)):
            label = (row.get("LABEL") or "").strip().lower()
            if label and row.get("TEXT"):
                yield _sms("smishing-mishra-soni", label, n, row["TEXT"])


def davidson(root: Path) -> Iterator[CorpusItem]:
    names = {"0": "hate", "1": "offensive", "2": "neither"}
    path = root / "hate-speech-davidson" / "labeled_data.csv"
    with path.open(encoding="utf-8", errors="replace", newline="") as f:
        for n, row in enumerate(csv.DictReader(f)):
            yield _sms("hate-speech-davidson", names.get(row["class"], "?"), n, row["tweet"])


def radicalization(root: Path) -> Iterator[CorpusItem]:
    path = root / "radicalization-tweets" / "tt-train.jsonl"
    for n, line in enumerate(path.read_text("utf-8", errors="replace").splitlines()):
        row = json.loads(line)
        yield _sms("radicalization-tweets", row["label"], n, row["text"])


def spamassassin(
    root: Path, folders: tuple[str, ...] = ("easy-ham-1", "easy-ham-2")
) -> Iterator[CorpusItem]:
    for folder in folders:
        for path in sorted((root / "spamassassin-public" / folder).iterdir()):
            if path.is_file():
                event = email_event(path.read_bytes(), str(path))
                yield CorpusItem("spamassassin-public", folder, event)


def sample(items: list[CorpusItem], n: int, seed: str) -> list[CorpusItem]:
    """A fixed pseudo-random sample (the same on every run)."""
    if len(items) <= n:
        return items
    return random.Random(seed).sample(items, n)


# The public negatives the content models are trained on: fixed samples (same every run).
TRAINING_SAMPLES = {
    "sms-spam-collection": 2500,
    "spamassassin-public": 600,
    "hate-speech-davidson": 1500,
}


def training_negatives(root: Path) -> dict[str, list[CorpusItem]]:
    """Per corpus, the items training uses; evaluation leaves exactly these out."""
    ham = [i for i in sms_collection(root) if i.label == "ham"]
    return {
        "sms-spam-collection": sample(ham, TRAINING_SAMPLES["sms-spam-collection"], "sms-ham"),
        "spamassassin-public": sample(
            list(spamassassin(root)), TRAINING_SAMPLES["spamassassin-public"], "sa-ham"
        ),
        "hate-speech-davidson": sample(
            list(davidson(root)), TRAINING_SAMPLES["hate-speech-davidson"], "davidson"
        ),
    }
