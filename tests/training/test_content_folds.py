"""The content trainers' folds: one per writers' round of the dev halves."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from aupguard.content.evalset import writer_rounds
from aupguard.content.features import analysis_of
from aupguard.content.train import FOLDS, Sample, writer_folds
from aupguard.events.model import Channel, Event, MessageContent
from aupguard.events.normalize import views_for

DEV = Path(__file__).resolve().parents[2] / "evalsets" / "dev"


def _sample(ident: str, source: str) -> Sample:
    analysis = analysis_of(views_for(Event(ident, Channel.SMS, MessageContent("hello"))), None)
    return Sample(analysis, {"adult": 0}, 1.0, source, ident=ident)


def test_dev_items_fold_by_their_round_and_public_ones_at_random() -> None:
    rounds = writer_rounds(DEV)
    dev = [_sample(f"adult-d-{n:04d}", "adult") for n in (1, 211, 212, 465, 466, 718, 719, 973)]
    public = [_sample(f"sms-spam-collection:{n}", "sms-spam-collection") for n in range(400)]
    folds = writer_folds(dev + public, rounds)
    assert folds[: len(dev)].tolist() == [0, 0, 1, 1, 2, 2, 3, 3]
    spread = np.bincount(folds[len(dev) :], minlength=FOLDS)
    assert len(spread) == FOLDS and spread.min() > 60  # every fold gets public negatives
    assert (writer_folds(dev + public, rounds) == folds).all()  # fixed seed: same folds


def test_a_fifth_round_is_held_out_with_the_first() -> None:
    rounds = {"violence": [190, 450, 708, 965]}
    dev = [_sample(f"violence-d-{n:04d}", "violence") for n in (190, 191, 965, 966, 1200)]
    assert writer_folds(dev, rounds).tolist() == [0, 1, 3, 0, 0]


def test_trainsets_are_trained_on_but_never_scored_as_dev(tmp_path: Path) -> None:
    import json

    import pytest

    from aupguard.content.train import SET_HEAD, trainset_samples
    from aupguard.errors import InputError

    item = {"id": "pii-tc-001", "set": "pii", "clause": "phishing", "label": 0}
    rows = [{**item, "channel": "sms", "text": "Your Acme verification code is 482913"}]
    (tmp_path / "pii-codes.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (samples,) = trainset_samples(tmp_path)
    assert samples.source == "trainset:pii" and samples.source not in SET_HEAD
    assert samples.labels["pii"] == 0 and "x:code_given" in samples.analysis.flags
    folds = writer_folds([samples], writer_rounds(DEV))
    assert 0 <= folds[0] < FOLDS
    assert trainset_samples(tmp_path / "missing") == []
    (tmp_path / "codes.jsonl").write_text("")
    with pytest.raises(InputError, match="must start with a set"):
        trainset_samples(tmp_path)
