"""Diffs of documents and rulesets read as lines of what was added, removed or changed."""

from __future__ import annotations

from aupguard.aup.load import load_document
from aupguard.datadiff import diff_models
from aupguard.rules.load import load_ruleset


def test_ruleset_diff_names_changed_weight_and_threshold() -> None:
    old = load_ruleset()
    data = old.model_dump(mode="json")
    data["clauses"]["malware"]["signals"]["EICAR"] = 0.9
    data["defaults"]["thresholds"]["hold"] = 0.5
    lines = diff_models(old, type(old).model_validate(data))
    assert "~ clauses.malware.signals.EICAR: 1.0 -> 0.9" in lines
    assert "~ defaults.thresholds.hold: 0.6 -> 0.5" in lines


def test_document_diff_shows_word_changes_per_clause() -> None:
    old = load_document()
    data = old.model_dump(mode="json")
    data["version"] = "1.1"
    data["clauses"][1]["text"] = data["clauses"][1]["text"].replace("worms", "worms, ransomware")
    lines = diff_models(old, type(old).model_validate(data))
    assert "~ version: '1.0' -> '1.1'" in lines
    (clause,) = [line for line in lines if line.startswith("~ clauses.malware.text")]
    assert "worms, {+ransomware,+} trojan" in clause
