"""Append a writers' round to the dev halves of the evaluation sets (evalsets/dev).

    python scripts/append_dev_round.py --seed w5 /tmp/round5/violence-a.jsonl ...

Each input is JSON Lines written by one writer for one set (the `set` field says which).
Every item is checked by the evaluation-set loader (fields, channel, turns, tenant);
then an item is dropped when it shares more than --max-overlap of its character 5-grams
(of the shorter text) with an existing dev item, any test item (compared by this script,
never shown) or an earlier item of the same round. The survivors are shuffled with a fixed
seed per set (`<seed>-<set>`), numbered after the last dev id and appended; the round is
recorded in dev/rounds.json (the last id of the previous round) and the hashes of the dev
files in HASHES.sha256 are recomputed. Test files are only read.

With --trainset FILE (one input), the survivors are written to FILE instead, as a
training-only set (trainsets/content/): the same checks, nothing appended to dev.

With --test-half DIR (e.g. evalsets/test2), the survivors form a new frozen test half:
checked as above and also against the training-only items, shuffled, numbered
`<set>-<DIR's name>-NNNN` and written to DIR/<set>.jsonl, which must not exist yet; their
hashes join HASHES.sha256. Nothing in dev changes. Every later round is checked against
every test half.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EVALSETS = ROOT / "evalsets"
GRAM = 5


def _test_halves() -> list[Path]:
    """evalsets/test and any later test half (evalsets/test2, ...)."""
    return sorted(p for p in EVALSETS.glob("test*") if p.is_dir())


def _text(row: dict[str, object]) -> str:
    turns = row.get("turns")
    if isinstance(turns, list):
        body = " ".join(str(t.get("text", "")) for t in turns if isinstance(t, dict))
    else:
        body = str(row.get("text", ""))
    return re.sub(r"\s+", " ", f"{row.get('subject', '')} {body}".lower()).strip()


def _grams(text: str) -> set[str]:
    return {text[i : i + GRAM] for i in range(max(1, len(text) - GRAM + 1))}


class Overlap:
    """Share of a text's 5-grams found in any one indexed text (of the shorter of the two)."""

    def __init__(self) -> None:
        self.sets: list[set[str]] = []
        self.index: dict[str, list[int]] = defaultdict(list)

    def add(self, grams: set[str]) -> None:
        for g in grams:
            self.index[g].append(len(self.sets))
        self.sets.append(grams)

    def worst(self, grams: set[str]) -> float:
        shared: dict[int, int] = defaultdict(int)
        for g in grams:
            for k in self.index.get(g, ()):
                shared[k] += 1
        return max(
            (n / max(1, min(len(grams), len(self.sets[k]))) for k, n in shared.items()),
            default=0.0,
        )


def _unique(
    rows: list[dict[str, object]], existing: list[dict[str, object]], max_overlap: float
) -> list[dict[str, object]]:
    """`rows` without those too close to an existing item or to an earlier row."""
    index = Overlap()
    for r in existing:
        index.add(_grams(_text(r)))
    kept = []
    for r in rows:
        grams = _grams(_text(r))
        if index.worst(grams) <= max_overlap:
            index.add(grams)
            kept.append(r)
    return kept


def _rows(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _check(rows: list[dict[str, object]], name: str, where: Path) -> None:
    from aupguard.content.evalset import parse_evalset

    clauses = {str(r["clause"]) for r in _rows(EVALSETS / "dev" / f"{name}.jsonl")}
    parse_evalset(name, [json.dumps(r) for r in rows], str(where))  # InputError: bad line
    for r in rows:
        if r.get("clause") not in clauses or r.get("label") not in (0, 1):
            raise SystemExit(f"{where}: {r.get('id')}: clause or label not those of {name}")
        if name == "misrepresentation" and not isinstance(r.get("tenant"), dict):
            raise SystemExit(f"{where}: {r.get('id')}: misrepresentation item without tenant")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("inputs", nargs="+", type=Path)
    parser.add_argument("--seed", required=True, help="round tag, e.g. w5 (shuffle seed)")
    parser.add_argument("--max-overlap", type=float, default=0.6)
    parser.add_argument("--dry-run", action="store_true")
    parser.add_argument("--trainset", type=Path, help="write the survivors here, not to dev")
    parser.add_argument("--test-half", type=Path, help="write a new frozen test half here")
    args = parser.parse_args()
    if args.trainset is not None and len(args.inputs) != 1:
        parser.error("--trainset takes one input file")
    if args.test_half is not None and args.trainset is not None:
        parser.error("--trainset and --test-half exclude each other")

    new: dict[str, list[dict[str, object]]] = defaultdict(list)
    for path in args.inputs:
        rows = _rows(path)
        names = sorted({str(r.get("set")) for r in rows})
        if len(names) != 1 or not (EVALSETS / "dev" / f"{names[0]}.jsonl").is_file():
            raise SystemExit(f"{path}: one known set per file expected, got {names}")
        name = names[0]
        _check(rows, name, path)
        new[name].extend(rows)

    if args.test_half is not None:  # refuse before anything is written
        for target in (args.test_half / f"{name}.jsonl" for name in new):
            if target.exists():
                raise SystemExit(f"{target} exists: a test half is written once and then frozen")
    rounds_path = EVALSETS / "dev" / "rounds.json"
    rounds = json.loads(rounds_path.read_text())
    for name, rows in sorted(new.items()):
        dev_path = EVALSETS / "dev" / f"{name}.jsonl"
        dev = _rows(dev_path)
        others = [half / f"{name}.jsonl" for half in _test_halves()]
        if args.test_half is not None:
            others += sorted((EVALSETS.parent / "trainsets" / "content").glob(f"{name}-*.jsonl"))
        existing = dev + [r for path in others if path.is_file() for r in _rows(path)]
        kept = _unique(rows, existing, args.max_overlap)
        if args.trainset is not None:
            print(f"{name}: {len(rows)} written, {len(kept)} kept for {args.trainset}")
            if not args.dry_run:
                args.trainset.write_text(
                    "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in kept)
                )
            return 0
        random.Random(f"{args.seed}-{name}").shuffle(kept)
        if args.test_half is not None:
            _write_test_half(args.test_half, name, rows, kept, args.dry_run)
            continue
        last = max(int(str(r["id"]).rsplit("-", 1)[1]) for r in dev)
        labels = [int(str(r["label"])) for r in kept]
        print(
            f"{name}: {len(rows)} written, {len(rows) - len(kept)} near duplicates dropped, "
            f"{len(kept)} appended ({sum(labels)} positive, {len(labels) - sum(labels)} "
            f"negative) as {name}-d-{last + 1:04d}..{name}-d-{last + len(kept):04d}"
        )
        if args.dry_run:
            continue
        with dev_path.open("a", encoding="utf-8") as out:
            for n, r in enumerate(kept, last + 1):
                out.write(json.dumps({**r, "id": f"{name}-d-{n:04d}"}, ensure_ascii=False) + "\n")
        rounds["bounds"][name] = [*rounds["bounds"][name], last]
    if args.dry_run:
        return 0
    if args.test_half is None:
        _write_rounds(rounds_path, rounds)
    _write_hashes()
    return 0


def _write_test_half(
    folder: Path,
    name: str,
    rows: list[dict[str, object]],
    kept: list[dict[str, object]],
    dry_run: bool,
) -> None:
    target = folder / f"{name}.jsonl"
    tag = folder.name
    labels = [int(str(r["label"])) for r in kept]
    print(
        f"{name}: {len(rows)} written, {len(rows) - len(kept)} near duplicates dropped, "
        f"{len(kept)} kept ({sum(labels)} positive, {len(labels) - sum(labels)} negative) "
        f"as {target}"
    )
    if dry_run:
        return
    folder.mkdir(parents=True, exist_ok=True)
    target.write_text(
        "".join(
            json.dumps({**r, "id": f"{name}-{tag}-{n:04d}"}, ensure_ascii=False) + "\n"
            for n, r in enumerate(kept, 1)
        ),
        encoding="utf-8",
    )


def _write_rounds(rounds_path: Path, rounds: dict[str, Any]) -> None:
    bounds = ",\n".join(f'  "{k}": {json.dumps(v)}' for k, v in rounds["bounds"].items())
    about = json.dumps(rounds["about"], ensure_ascii=False)
    rounds_path.write_text(f'{{\n "about": {about},\n "bounds": {{\n{bounds}\n }}\n}}\n')


def _write_hashes() -> None:
    lines = []
    for half in [*_test_halves(), EVALSETS / "dev"]:
        for path in sorted(half.glob("*.jsonl")):
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            lines.append(f"{digest}  evalsets/{half.name}/{path.name}\n")
    (EVALSETS / "HASHES.sha256").write_text("".join(lines))


if __name__ == "__main__":
    sys.exit(main())
