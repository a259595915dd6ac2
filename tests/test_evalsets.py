"""The labelled evaluation sets parse, are well-formed, big enough, and frozen (HASHES.sha256)."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from aupguard.aup.model import CLAUSE_IDS

ROOT = Path(__file__).resolve().parent.parent
EVALSETS = ROOT / "evalsets"
TEST_DIR = EVALSETS / "test"
# every frozen test half: test/ (the first) and later ones written apart (test2/, ...)
TEST_DIRS = sorted(p for p in EVALSETS.glob("test*") if p.is_dir())
DEV_DIR = EVALSETS / "dev"
HASHES = EVALSETS / "HASHES.sha256"

# set name -> the AUP clause it measures
SETS = {
    "adult": "adult-content",
    "misrepresentation": "misrepresentation",
    "violence": "violence",
    "piracy": "ip-infringement",
    "pii": "phishing",
}
HALF_KEYS = [f"{d.name}/{name}" for d in TEST_DIRS for name in sorted(SETS)]
MIN_PER_LABEL = 120  # per set and label, in the test half alone
MIN_DEV_PER_LABEL = 60  # per set and label, in the dev half alone
MIN_BOTH_PER_LABEL = 200  # per set and label, both halves together (issue 8)
CHANNELS = {"sms", "email", "chat", "voice"}
ROLES = {"agent", "customer", "bot"}
KEYS = {"id", "set", "clause", "label", "channel", "text", "subject", "turns", "lang"}
KEYS |= {"tenant", "note"}
REFREEZE = (
    "test halves are frozen (evalsets/README.md); only if the change is intended, rerun "
    "`sha256sum evalsets/test*/*.jsonl evalsets/dev/*.jsonl > evalsets/HASHES.sha256` "
    "and say why in the commit"
)


def _load(path: Path) -> list[dict[str, Any]]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        try:
            row = json.loads(line)
        except json.JSONDecodeError as err:
            pytest.fail(f"{path.name}:{number}: not JSON ({err})")
        assert isinstance(row, dict), f"{path.name}:{number}: not a JSON object"
        rows.append(row)
    return rows


def _flat(row: dict[str, Any]) -> str:
    """The item's words, normalised, for duplicate checks."""
    text = row.get("text") or " ".join(turn["text"] for turn in row.get("turns", []))
    return re.sub(r"\W+", " ", f"{row.get('subject', '')} {text}".lower()).strip()


@pytest.fixture(scope="module")
def test_sets() -> dict[str, list[dict[str, Any]]]:
    """The first test halves (evalsets/test)."""
    return {name: _load(TEST_DIR / f"{name}.jsonl") for name in SETS}


@pytest.fixture(scope="module")
def all_test_sets() -> dict[str, list[dict[str, Any]]]:
    """Every test half, keyed `<folder>/<set>`."""
    return {f"{d.name}/{name}": _load(d / f"{name}.jsonl") for d in TEST_DIRS for name in SETS}


def test_the_first_test_halves_are_there() -> None:
    assert TEST_DIR in TEST_DIRS


@pytest.mark.parametrize("half", TEST_DIRS, ids=lambda p: p.name)
def test_every_set_file_is_there_and_nothing_else(half: Path) -> None:
    assert sorted(p.stem for p in half.glob("*.jsonl")) == sorted(SETS)


@pytest.mark.parametrize("key", HALF_KEYS)
def test_rows_are_well_formed(key: str, all_test_sets: dict[str, list[dict[str, Any]]]) -> None:
    half, name = key.split("/")
    tag = "t" if half == "test" else half
    for row in all_test_sets[key]:
        where = f"{key}.jsonl {row.get('id')}"
        assert set(row) <= KEYS, f"{where}: unknown fields {set(row) - KEYS}"
        assert re.fullmatch(rf"{name}-{tag}-\d{{4}}", row["id"]), f"{where}: bad id"
        assert row["set"] == name, where
        assert row["clause"] == SETS[name] and row["clause"] in CLAUSE_IDS, where
        assert type(row["label"]) is int and row["label"] in (0, 1), f"{where}: label"
        assert row["channel"] in CHANNELS, f"{where}: channel"
        if row["channel"] in ("sms", "email"):
            assert isinstance(row.get("text"), str) and row["text"].strip(), f"{where}: text"
            assert "turns" not in row, where
        else:
            assert "text" not in row, where
            assert row.get("turns"), f"{where}: turns"
            for turn in row["turns"]:
                assert set(turn) == {"role", "text"} and turn["role"] in ROLES, where
                assert isinstance(turn["text"], str) and turn["text"].strip(), where
        assert ("subject" in row) == (row["channel"] == "email"), f"{where}: subject"
        if "lang" in row:
            assert re.fullmatch(r"[a-z]{2}", row["lang"]) and row["lang"] != "en", where


def test_ids_are_unique(all_test_sets: dict[str, list[dict[str, Any]]]) -> None:
    ids = Counter(row["id"] for rows in all_test_sets.values() for row in rows)
    assert not [i for i, n in ids.items() if n > 1]


@pytest.mark.parametrize("key", HALF_KEYS)
def test_counts_meet_the_minimum(key: str, all_test_sets: dict[str, list[dict[str, Any]]]) -> None:
    labels = Counter(row["label"] for row in all_test_sets[key])
    assert labels[1] >= MIN_PER_LABEL and labels[0] >= MIN_PER_LABEL, dict(labels)
    channels = Counter(row["channel"] for row in all_test_sets[key])
    assert len(channels) == len(CHANNELS), f"{key}: not every channel is present {channels}"


def test_violating_speech_is_the_tenants(
    all_test_sets: dict[str, list[dict[str, Any]]],
) -> None:
    """A positive chat or call must have words from the tenant's side (agent or bot)."""
    for rows in all_test_sets.values():
        for row in rows:
            if row["label"] == 1 and "turns" in row:
                assert {t["role"] for t in row["turns"]} & {"agent", "bot"}, row["id"]


@pytest.mark.parametrize("half", TEST_DIRS, ids=lambda p: p.name)
def test_misrepresentation_rows_name_their_tenant(
    half: Path, all_test_sets: dict[str, list[dict[str, Any]]]
) -> None:
    for row in all_test_sets[f"{half.name}/misrepresentation"]:
        tenant = row.get("tenant")
        assert isinstance(tenant, dict) and tenant.get("name") and tenant.get("kind"), row["id"]
        assert set(tenant) <= {"name", "kind", "brands"}, row["id"]


def test_no_duplicate_texts(all_test_sets: dict[str, list[dict[str, Any]]]) -> None:
    seen: dict[str, str] = {}
    for rows in all_test_sets.values():
        for row in rows:
            key = _flat(row)
            assert key not in seen, f"{row['id']} repeats {seen[key]}"
            seen[key] = row["id"]


def test_dev_halves_do_not_repeat_test_items(
    all_test_sets: dict[str, list[dict[str, Any]]],
) -> None:
    """Guards the split for whoever writes evalsets/dev/ or trainsets/ later."""
    dev_files = sorted(DEV_DIR.glob("*.jsonl")) if DEV_DIR.is_dir() else []
    if not dev_files:
        pytest.skip("no dev halves yet (evalsets/dev/ is written separately)")
    dev_files += sorted((ROOT / "trainsets" / "content").glob("*.jsonl"))
    frozen = {_flat(row) for rows in all_test_sets.values() for row in rows}
    for path in dev_files:
        for row in _load(path):
            assert _flat(row) not in frozen, f"dev item {row.get('id')} is also in a test half"


def test_test_halves_are_frozen() -> None:
    listed: dict[str, str] = {}
    for line in HASHES.read_text(encoding="ascii").splitlines():
        digest, _, rel = line.partition("  ")
        listed[rel] = digest
    on_disk = {p.relative_to(ROOT).as_posix() for d in TEST_DIRS for p in d.glob("*.jsonl")}
    on_disk |= {p.relative_to(ROOT).as_posix() for p in DEV_DIR.glob("*.jsonl")}
    assert set(listed) == on_disk, f"HASHES.sha256 lists {sorted(listed)}; {REFREEZE}"
    for rel, digest in listed.items():
        actual = hashlib.sha256((ROOT / rel).read_bytes()).hexdigest()
        assert actual == digest, f"{rel} changed since it was frozen; {REFREEZE}"


# The dev halves (training and tuning), written after the test halves by another writer.


@pytest.fixture(scope="module")
def dev_sets() -> dict[str, list[dict[str, Any]]]:
    return {name: _load(DEV_DIR / f"{name}.jsonl") for name in SETS}


def test_every_dev_file_is_there_and_nothing_else() -> None:
    assert sorted(p.stem for p in DEV_DIR.glob("*.jsonl")) == sorted(SETS)


@pytest.mark.parametrize("name", sorted(SETS))
def test_dev_rows_are_well_formed(name: str, dev_sets: dict[str, list[dict[str, Any]]]) -> None:
    for row in dev_sets[name]:
        where = f"dev/{name}.jsonl {row.get('id')}"
        assert set(row) <= KEYS, f"{where}: unknown fields {set(row) - KEYS}"
        assert re.fullmatch(rf"{name}-d-\d{{4}}", row["id"]), f"{where}: bad id"
        assert row["set"] == name and row["clause"] == SETS[name], where
        assert type(row["label"]) is int and row["label"] in (0, 1), f"{where}: label"
        assert row["channel"] in CHANNELS, f"{where}: channel"
        if row["channel"] in ("sms", "email"):
            assert isinstance(row.get("text"), str) and row["text"].strip(), f"{where}: text"
            assert "turns" not in row, where
        else:
            assert "text" not in row and row.get("turns"), where
            for turn in row["turns"]:
                assert set(turn) == {"role", "text"} and turn["role"] in ROLES, where
        assert ("subject" in row) == (row["channel"] == "email"), f"{where}: subject"
        if "lang" in row:
            assert re.fullmatch(r"[a-z]{2}", row["lang"]) and row["lang"] != "en", where
        if name == "misrepresentation":
            tenant = row.get("tenant")
            assert isinstance(tenant, dict) and tenant.get("name") and tenant.get("kind"), where
        if row["label"] == 1 and "turns" in row:
            assert {t["role"] for t in row["turns"]} & {"agent", "bot"}, where


@pytest.mark.parametrize("name", sorted(SETS))
def test_dev_and_both_halves_are_big_enough(
    name: str,
    dev_sets: dict[str, list[dict[str, Any]]],
    test_sets: dict[str, list[dict[str, Any]]],
) -> None:
    dev = Counter(row["label"] for row in dev_sets[name])
    both = dev + Counter(row["label"] for row in test_sets[name])
    assert min(dev[0], dev[1]) >= MIN_DEV_PER_LABEL, dict(dev)
    assert min(both[0], both[1]) >= MIN_BOTH_PER_LABEL, dict(both)
    assert {row["channel"] for row in dev_sets[name]} == CHANNELS
    assert any("lang" in row for row in dev_sets[name]), f"{name}: no non-English dev items"


def test_dev_ids_and_texts_are_unique(dev_sets: dict[str, list[dict[str, Any]]]) -> None:
    ids = Counter(row["id"] for rows in dev_sets.values() for row in rows)
    assert not [i for i, n in ids.items() if n > 1]
    texts = Counter(_flat(row) for rows in dev_sets.values() for row in rows)
    assert not [t for t, n in texts.items() if n > 1]


def test_every_dev_item_has_a_writer_round(dev_sets: dict[str, list[dict[str, Any]]]) -> None:
    """dev/rounds.json: four or five rounds per set, each holding items of both labels
    (the trainers fold by round, so every fold needs positives and hard negatives)."""
    from aupguard.content.evalset import writer_round, writer_rounds

    rounds = writer_rounds(DEV_DIR)
    assert sorted(rounds) == sorted(SETS)
    for name, rows in dev_sets.items():
        assert rounds[name] == sorted(rounds[name]), name
        seen: dict[int | None, set[int]] = {}
        for row in rows:
            seen.setdefault(writer_round(row["id"], rounds), set()).add(row["label"])
        assert len(rounds[name]) in (3, 4), name
        assert sorted(seen, key=str) == list(range(len(rounds[name]) + 1)), name
        assert all(labels == {0, 1} for labels in seen.values()), name
    assert writer_round("adult-d-0211", rounds) == 0
    assert writer_round("adult-d-0212", rounds) == 1
    assert writer_round("not-a-dev-id", rounds) is None
