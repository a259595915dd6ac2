"""scripts/append_dev_round.py: a writers' round appended to a copy of the dev halves."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "append_dev_round.py"


def _script(evalsets: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("append_dev_round", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.EVALSETS = evalsets  # type: ignore[attr-defined]
    return module


def _run(module: ModuleType, monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    monkeypatch.setattr(sys, "argv", ["append_dev_round.py", *args])
    result = module.main()
    assert isinstance(result, int)
    return result


def _item(n: int, label: int, text: str) -> dict[str, object]:
    return {"id": f"piracy-w9-{n:03d}", "set": "piracy", "clause": "ip-infringement",
            "label": label, "channel": "sms", "text": text}  # fmt: skip


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "evalsets", tmp_path / "evalsets")
    return tmp_path / "evalsets"


def test_a_round_is_deduplicated_numbered_and_recorded(
    copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    test_text = json.loads((copy / "test" / "piracy.jsonl").read_text().splitlines()[0])
    rows = [
        _item(1, 1, "Fresh cracked build of PhotoForge 2031, keygen inside, zero cost, DM me"),
        _item(2, 0, "Your library card now lends e-books through the official app, free"),
        _item(3, 1, "Fresh cracked build of PhotoForge 2031, keygen inside, zero cost, DM me!!"),
        {**_item(4, 0, ""), "text": test_text.get("text", "x"), "channel": "sms"},
    ]
    written = tmp_path / "round.jsonl"
    written.write_text("".join(json.dumps(r) + "\n" for r in rows))
    dev_before = (copy / "dev" / "piracy.jsonl").read_text().splitlines()
    test_before = {p.name: p.read_bytes() for p in (copy / "test").glob("*.jsonl")}
    bounds_before = json.loads((copy / "dev" / "rounds.json").read_text())["bounds"]["piracy"]

    assert _run(_script(copy), monkeypatch, "--seed", "w9", str(written)) == 0

    dev_after = (copy / "dev" / "piracy.jsonl").read_text().splitlines()
    added = [json.loads(line) for line in dev_after[len(dev_before) :]]
    assert len(added) == 2  # the near-copy of item 1 and the copy of a test item dropped
    last = len(dev_before)
    assert sorted(r["id"] for r in added) == [
        f"piracy-d-{last + 1:04d}",
        f"piracy-d-{last + 2:04d}",
    ]
    rounds = json.loads((copy / "dev" / "rounds.json").read_text())["bounds"]["piracy"]
    assert rounds == [*bounds_before, last]
    assert {p.name: p.read_bytes() for p in (copy / "test").glob("*.jsonl")} == test_before
    hashes = dict(
        reversed(line.split("  ")) for line in (copy / "HASHES.sha256").read_text().splitlines()
    )
    digest = hashlib.sha256((copy / "dev" / "piracy.jsonl").read_bytes()).hexdigest()
    assert hashes["evalsets/dev/piracy.jsonl"] == digest


def test_a_trainset_is_written_apart_and_dev_is_untouched(
    copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    written = tmp_path / "round.jsonl"
    written.write_text(
        json.dumps(_item(1, 0, "Stream the final legally on our licensed app")) + "\n"
    )
    before = (copy / "dev" / "piracy.jsonl").read_bytes()
    out = tmp_path / "piracy-extra.jsonl"
    assert (
        _run(_script(copy), monkeypatch, "--seed", "t", "--trainset", str(out), str(written)) == 0
    )
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == ["piracy-w9-001"]
    assert (copy / "dev" / "piracy.jsonl").read_bytes() == before


def test_an_item_that_is_not_an_evaluation_item_is_refused(
    copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aupguard.errors import InputError

    written = tmp_path / "round.jsonl"
    written.write_text(json.dumps({**_item(1, 1, "x"), "channel": "chat"}) + "\n")  # no turns
    with pytest.raises(InputError, match="needs turns"):
        _run(_script(copy), monkeypatch, "--seed", "w9", str(written))


def test_a_new_test_half_is_frozen_apart_from_dev(
    copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dev_rows = [
        json.loads(line) for line in (copy / "dev" / "piracy.jsonl").read_text().splitlines()
    ]
    dev_item = next(r for r in dev_rows if r["channel"] == "sms")
    rows = [
        _item(1, 1, "Loaded firestick, every channel and film for a one-off 40 quid, no sub"),
        _item(2, 0, "Your rental of The Long Road is ready in the app until Sunday night"),
        {**_item(3, 1, ""), "text": dev_item["text"]},
    ]
    written = tmp_path / "half.jsonl"
    written.write_text("".join(json.dumps(r) + "\n" for r in rows))
    dev_before = (copy / "dev" / "piracy.jsonl").read_bytes()
    rounds_before = (copy / "dev" / "rounds.json").read_bytes()
    module = _script(copy)
    half = copy / "test9"

    assert _run(module, monkeypatch, "--seed", "t2", "--test-half", str(half), str(written)) == 0

    got = [json.loads(line) for line in (half / "piracy.jsonl").read_text().splitlines()]
    assert sorted(r["id"] for r in got) == ["piracy-test9-0001", "piracy-test9-0002"]
    assert "Loaded firestick" in " ".join(r["text"] for r in got)  # the dev copy dropped
    assert (copy / "dev" / "piracy.jsonl").read_bytes() == dev_before
    assert (copy / "dev" / "rounds.json").read_bytes() == rounds_before
    listed = (copy / "HASHES.sha256").read_text()
    digest = hashlib.sha256((half / "piracy.jsonl").read_bytes()).hexdigest()
    assert f"{digest}  evalsets/test9/piracy.jsonl" in listed
    assert "evalsets/test/piracy.jsonl" in listed and "evalsets/dev/piracy.jsonl" in listed
    # written once: a second run refuses to overwrite the frozen half
    with pytest.raises(SystemExit, match="frozen"):
        _run(module, monkeypatch, "--seed", "t2", "--test-half", str(half), str(written))
    # a later dev round is checked against the new half too
    again = tmp_path / "again.jsonl"
    again.write_text(json.dumps({**got[0], "id": "piracy-w9-001"}) + "\n")
    assert _run(module, monkeypatch, "--seed", "w9", str(again)) == 0
    assert (copy / "dev" / "piracy.jsonl").read_bytes() == dev_before
