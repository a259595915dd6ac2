"""`aupguard train spam-email|spam-sms`: data, nested CV report, final fit, model file and card."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from aupguard.models.linear import pack, save
from aupguard.training.card import write_card
from aupguard.training.corpora import LabelledSet, sms_spam_collection, spamassassin_public
from aupguard.training.cv import CvReport, cross_validate
from aupguard.training.fit import Spec, train

# Chosen before measuring on the reported folds: hard ham (commercial mail people asked
# for) weighs 3x because false positives there are what the acceptance bar is about; the
# threshold aims at half the allowed 0.5 % false-positive rate inside the training folds.
EMAIL_SPEC = Spec(
    C=3.0, group_weights={"hard-ham-1": 3.0}, objective="max-recall-at-fpr", target_fpr=0.004
)
SMS_SPEC = Spec(C=1.0, objective="max-f1")


@dataclass(frozen=True, slots=True)
class Outcome:
    model: Path
    card: Path
    sha256: str
    threshold: float
    vocabulary: int
    report: CvReport | None


def load_email(corpus: Path, limit: int | None = None) -> LabelledSet:
    from aupguard.detectors.spam_email import features

    return spamassassin_public(corpus, lambda view: features(view)[0], limit)


def load_sms(corpus: Path, limit: int | None = None) -> LabelledSet:
    from aupguard.detectors.spam_sms import features

    return sms_spam_collection(corpus, lambda text: features(text)[0], limit)


def train_and_save(
    kind: str,
    data: LabelledSet,
    spec: Spec,
    out_dir: Path,
    folds: int,
    on_step: Callable[[str], None] = lambda s: None,
) -> Outcome:
    """Nested CV (when folds > 1), then a fit on all the data; writes <kind>.npz and <kind>.md."""
    report = None
    if folds > 1:
        report = cross_validate(data, spec, folds, lambda i: on_step(f"fold {i}/{folds}"))
    labels = np.asarray(data.labels, dtype=int)
    model = train(data.docs, labels, data.groups, spec)
    on_step("final model")
    f = model.fitted
    meta = {
        "name": kind,
        "trained_on": data.name,
        "items": len(labels),
        "spam": int(labels.sum()),
        "objective": spec.objective,
        "target_fpr": spec.target_fpr,
        "C": spec.C,
        "group_weights": spec.group_weights,
    }
    arrays = pack(f.vocab, f.idf, f.weight, f.bias, model.platt, model.threshold, meta)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{kind}.npz"
    digest = save(path, arrays)
    card = write_card(out_dir / f"{kind}.md", kind, data, spec, report, digest, model.threshold)
    return Outcome(path, card, digest, model.threshold, len(f.vocab), report)
