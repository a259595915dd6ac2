"""Signal weights for the content clauses from the dev halves' out-of-fold scores.

    aupguard train harmful --report report.json
    aupguard train encoder --report encoder.json
    .venv/bin/python scripts/content_thresholds.py report.json --encoder encoder.json

For each head, the probability the detector reports (the first stage, joined with the
second where the second runs: the shipped ruleset's bands, or --band) is recomputed from
the two training reports' out-of-fold logits of the dev items.
A clause's score is that
probability times the signal's weight, combined (noisy-OR) with the clause's other
signals, which the engine gives for each dev item with the shipped ruleset (lures and
links do not depend on the trained model). The model may add at most `--negatives` of
the set's own hard negatives (label 0) to those the other signals flag on their own
(none, except for phishing, where the lures do). Its weight is capped so that the model
alone never reaches a higher action than the ruleset allows it (hold for most clauses,
flag only for phishing). Clauses whose model may hold keep the weight at the cap and get
the flag threshold that meets the limit; for phishing, whose flag threshold the lures
share, the weight is the largest that meets it at the ruleset's threshold, and where the
cap binds, the flag threshold is lowered as far as the same limit allows. Only dev data is
read: the test halves are for reporting.
Prints the table; the values go into src/aupguard/rules/default/rules.yaml by hand.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from aupguard.aup.load import load_document
from aupguard.content.evalset import load_evalset
from aupguard.content.models import combined, sigmoid
from aupguard.detectors.content_models import ContentOptions
from aupguard.engine import Engine
from aupguard.rules.judge import combine
from aupguard.rules.load import load_ruleset
from aupguard.rules.model import Ruleset

# head -> (its dev set, the clause, the signal, the highest action its weight may reach)
HEADS = {
    "adult": ("adult", "adult-content", "ADULT_SERVICES_TEXT", "hold"),
    "violence": ("violence", "violence", "VIOLENCE_TEXT", "hold"),
    "piracy": ("piracy", "ip-infringement", "PIRACY_TEXT", "hold"),
    "pii": ("pii", "phishing", "PII_REQUEST_TEXT", "flag"),
    "misrep": ("misrepresentation", "misrepresentation", "AGENT_MISREPRESENTATION", "hold"),
}
DETECTOR = {"misrep": "agent_misrepresentation"}  # every other head: content_models
EVALSETS = Path(__file__).resolve().parent.parent / "evalsets"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("report", type=Path)
    parser.add_argument("--negatives", type=float, default=0.04)
    parser.add_argument("--encoder", type=Path, required=True, help="`train encoder` report")
    parser.add_argument("--band", type=float, nargs=2, help="second-stage band (lo hi)")
    args = parser.parse_args()
    report = json.loads(args.report.read_text())
    encoder = json.loads(args.encoder.read_text())["oof"]
    for head, oof in report["oof"].items():
        oof["second"] = [encoder[head][i] for i in oof["id"]]
    ruleset = load_ruleset()
    engine = Engine(ruleset, load_document())
    print(
        "| clause | signal | weight | clause flag | dev recall | dev negatives flagged "
        "| recall, other languages |"
    )
    print("|---|---|---:|---:|---:|---:|---:|")
    for head, (dev_set, clause, signal, ceiling) in HEADS.items():
        oof = report["oof"][head]
        finals = _finals(ruleset, head, oof, args.band)
        probability = dict(zip(oof["id"], finals, strict=True))
        rows, langs = _dev_rows(engine, dev_set, clause, signal, probability)
        levels = ruleset.thresholds_for(clause)
        cap = _cap(levels.hold, levels.block, ceiling)
        floor = min(levels.flag, ruleset.defaults.thresholds.flag)
        weight, flag = choose(rows, levels.flag, cap, args.negatives, floor, ceiling == "hold")
        positives = sum(1 for *_, y in rows if y == 1)
        negatives = len(rows) - positives
        recall = flagged_by(rows, weight, flag, 1) / positives
        foreign = [r for r, lang in zip(rows, langs, strict=True) if lang != "en"]
        found = flagged_by(foreign, weight, flag, 1)
        print(
            f"| {clause} | {signal} | {weight:.3f} | {flag:.3f} | {recall:.3f} "
            f"| {flagged_by(rows, weight, flag, 0) / negatives:.1%} "
            f"| {found}/{sum(1 for *_, y in foreign if y == 1)} |"
        )


def choose(
    rows: list[tuple[float, list[float], int]],
    flag: float,
    cap: float,
    negatives: float,
    floor: float = 0.3,
    raise_flag: bool = False,
) -> tuple[float, float]:
    """(weight, flag threshold): the largest weight up to `cap`, then the lowest flag
    threshold, never under `floor` (the ruleset's default flag threshold: the dev sets
    hold no ordinary traffic to say what a lower one would flag there), with which the
    model adds at most `negatives` of the label-0 rows to those the other signals flag
    on their own. With `raise_flag`, the weight stays at `cap` and the flag threshold
    moves up or down instead (the same items are flagged, and the model's strongest
    scores still reach the action above flag)."""
    limit = int(negatives * sum(1 for *_, y in rows if y == 0))
    limit += flagged_by(rows, 0.0, flag, 0)
    if raise_flag:  # keep the weight at its cap, so the model alone can still reach it
        while flag < 1.0 and flagged_by(rows, cap, flag, 0) > limit:
            flag = round(flag + 0.001, 3)
        weight = cap
    else:
        weights = [w / 1000 for w in range(int(cap * 1000), 0, -1)]
        weight = next((w for w in weights if flagged_by(rows, w, flag, 0) <= limit), 0.0)
    if weight == cap:  # room left: lower the clause's flag threshold while it holds
        while flag > floor and flagged_by(rows, cap, round(flag - 0.001, 3), 0) <= limit:
            flag = round(flag - 0.001, 3)
    return weight, flag


def flagged_by(
    rows: list[tuple[float, list[float], int]], weight: float, flag: float, label: int
) -> int:
    """Items of `label` whose clause score reaches `flag` with the model at `weight`."""
    return sum(1 for p, o, y in rows if y == label and combine([weight * p, *o]) >= flag)


def _finals(
    ruleset: Ruleset, head: str, oof: dict[str, list[float]], band: list[float] | None = None
) -> list[float]:
    """What the detector reports per dev item: first stage, joined with the second where
    the detector's own stage policy (with `band`, when given) calls it."""
    options = ContentOptions(**(ruleset.detectors[DETECTOR.get(head, "content_models")].options))
    if band:
        options = options.model_copy(update={"second_stage_band": tuple(band)})
    policy = options.policy()
    out = []
    for first, second in zip(oof["first"], oof["second"], strict=True):
        p1 = sigmoid(first)
        out.append(combined(p1, sigmoid(second)) if policy.wants(head, p1) else p1)
    return out


def _dev_rows(
    engine: Engine, dev_set: str, clause: str, signal: str, probability: dict[str, float]
) -> tuple[list[tuple[float, list[float], int]], list[str]]:
    """Per dev item: the model's probability, the clause's weighted contributions other
    than the model's signal (as the engine gives them), and the label; and its language."""
    evalset = load_evalset(EVALSETS / "dev" / f"{dev_set}.jsonl")
    rows = []
    langs = [item.lang for item in evalset.items]
    for item in evalset.items:
        verdict = engine.evaluate(item.event, evalset.context(item), dry_run=True).verdict
        scored = next(c for c in verdict.clauses if c.clause == clause)
        others = [v for name, v in scored.contributors if name != signal]
        rows.append((probability[item.id], others, item.label))
    return rows, langs


def _cap(hold: float | None, block: float | None, ceiling: str) -> float:
    """The largest weight whose score (at probability 1) stays below the next action."""
    above = hold if ceiling == "flag" else block
    return 1.0 if above is None else round(min(1.0, above - 0.01), 2)


if __name__ == "__main__":
    main()
