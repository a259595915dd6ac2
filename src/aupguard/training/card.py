"""The data card shipped next to a model: data, split, procedure, metrics, hash."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from aupguard.training.corpora import LabelledSet
from aupguard.training.cv import CvReport
from aupguard.training.fit import Spec

_ABOUT = {
    "spam_email": (
        "Outbound e-mail spam (signal `SPAM_CONTENT`, detector `spam_email`).",
        "words of the subject and text parts (plain and HTML text, first 4,000 characters), "
        "the From display name, header traits the sending software sets (mailer, priority, "
        "Reply-To elsewhere, missing To/Date/MIME-Version, List-Unsubscribe present, names of "
        "the other header fields except transport, list and collection ones), structure "
        "(HTML only, attachments by sniffed type), HTML structure (links, anchors showing "
        "another domain, forms, little visible text), "
        "URL tokens (TLD, registrable domain, IP host, query, path words, domains other than "
        "the sender's) and the names of the rule signals that fired",
        "aupguard train spam-email --cv 10 --report",
    ),
    "spam_sms": (
        "Outbound SMS and chat spam (signal `SMS_SPAM_CONTENT`, detector `spam_sms`).",
        "words, character 3- to 5-grams with digits folded to 0, capitals and length traits "
        "and the names of the rule signals that fired",
        "aupguard train spam-sms --cv 10 --report",
    ),
}


def write_card(
    path: Path,
    kind: str,
    data: LabelledSet,
    spec: Spec,
    chosen: Spec,
    report: CvReport | None,
    sha256: str,
    threshold: float,
) -> Path:
    about, feats, command = _ABOUT[kind]
    groups = Counter(data.groups)
    lines = [
        f"# Data card: `{kind}.npz`",
        "",
        about,
        "",
        f"- **sha256** (the detector's `model_hash`, in every verdict): `{sha256}`",
        f"- **Reproduce**: `{command}` (writes this card and the model file)",
        "- **Format**: numpy `.npz` of plain arrays (vocabulary, idf, weights, bias, Platt "
        "calibration, threshold, JSON metadata), loaded with `allow_pickle=False`",
        "",
        "## Data",
        "",
        f"Corpus `{data.name}` (licence allows shipping a model, see shared/corpora/INDEX.md), "
        f"the development part present on the training machine: {len(data.labels)} items.",
        "",
        "| group | items | label |",
        "|---|---|---|",
        *(f"| {g} | {n} | {_label(g)} |" for g, n in sorted(groups.items())),
        "",
        "## Model and procedure",
        "",
        f"- Features: {feats}.",
        f"- Sublinear TF-IDF (min document frequency {spec.min_df}), L2-normalised; linear SVM, "
        "classes balanced.",
        *_grid(spec),
        f"- Hyperparameters of this file, chosen so on all the development data: "
        f"**{chosen.describe()}**.",
        f"- Calibration (Platt) and threshold come from {spec.inner_folds}-fold cross-validation "
        "inside the training data only: "
        + (
            f"the highest recall with at most {chosen.target_fpr:.2%} of held-out ham above it."
            if spec.objective == "max-recall-at-fpr"
            else "the best F1 on held-out scores."
        ),
        f"- Operating threshold of this model (probability): **{threshold:.4f}**. The ruleset "
        "weighs the signal so that this probability reaches the clause's `flag` threshold "
        f"(weight = flag / {threshold:.4f}); a test keeps rules.yaml and this number together.",
        "",
    ]
    lines += _metrics(report) if report else ["No cross-validation was run for this file.", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _metrics(r: CvReport) -> list[str]:
    lo, hi = r.fpr_ci95
    rlo, rhi = r.recall_ci95
    return [
        f"## Quality: {r.folds}-fold nested cross-validation",
        "",
        "Every prediction below comes from a model (and a threshold) fitted without that item.",
        "",
        "| metric | value | 95 % Wilson interval |",
        "|---|---|---|",
        f"| spam recall | {r.recall:.4f} ({r.tp}/{r.spam}) | [{rlo:.4f}, {rhi:.4f}] |",
        f"| false positives on ham | {r.fpr:.4%} ({r.fp}/{r.ham}) | [{lo:.4%}, {hi:.4%}] |",
        f"| precision | {r.precision:.4f} | |",
        f"| F1 | {r.f1:.4f} | |",
        f"| AUPRC | {r.auprc:.4f} | |",
        "",
        "| group | items | flagged as spam |",
        "|---|---|---|",
        *(f"| {g} | {n} | {k} ({k / n:.2%}) |" for g, n, k in r.by_group),
        "",
        "| outer fold | hyperparameters chosen by its inner CV | threshold |",
        "|---|---|---|",
        *(
            f"| {i} | {c} | {t:.4f} |"
            for i, (c, t) in enumerate(zip(r.chosen, r.thresholds, strict=True), 1)
        ),
        "",
    ]


def _grid(spec: Spec) -> list[str]:
    grid = spec.grid
    if grid is None:
        return [f"- Fixed hyperparameters: {spec.describe()}."]
    drops = ", ".join("+".join(d) if d else "none" for d in grid.drop)
    weighted = (
        f"; extra weight of {grid.weighted_group}: {', '.join(f'{w:g}' for w in grid.group_weight)}"
        if grid.weighted_group
        else ""
    )
    targets = (
        f"; inner false-positive target: {', '.join(f'{t:.2%}' for t in grid.target_fpr)}"
        if grid.target_fpr
        else ""
    )
    rule = (
        f"the best recall among candidates whose cross-fitted false-positive rate is at most "
        f"{grid.max_fpr:.2%}"
        if spec.objective == "max-recall-at-fpr"
        else "the best cross-fitted F1"
    )
    return [
        f"- Hyperparameters chosen inside each training set by {spec.inner_folds}-fold inner "
        f"cross-validation (thresholds cross-fitted over the inner folds), {rule}. Grid: "
        f"C {', '.join(f'{c:g}' for c in grid.C)}{weighted}{targets}; feature groups left "
        f"out: {drops}."
    ]


def _label(group: str) -> str:
    return "spam" if group.startswith("spam") else "ham"
