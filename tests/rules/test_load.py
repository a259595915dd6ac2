"""Loading the document and the ruleset: the shipped ones are valid; errors name the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from aupguard.aup.load import load_document
from aupguard.aup.model import CLAUSE_IDS, AupDocument
from aupguard.datafile import load
from aupguard.errors import PolicyError
from aupguard.rules.load import load_ruleset
from aupguard.rules.model import Ruleset
from tests.conftest import FIXTURES, Golden


def test_shipped_document_has_every_clause() -> None:
    doc = load_document()
    assert tuple(c.id for c in doc.clauses) == CLAUSE_IDS
    assert "aliases and anonymous remailers" in doc.by_id["origin-forgery"].text


def test_shipped_ruleset_matches_document_and_hashes_stably() -> None:
    doc = load_document()
    rs = load_ruleset(document=doc)
    assert set(rs.clauses) == set(CLAUSE_IDS)
    assert rs.content_hash == load_ruleset().content_hash and len(rs.content_hash) == 64


@pytest.mark.parametrize(
    "name",
    [
        "misspelt-key",
        "threshold-range",
        "threshold-order",
        "bad-signal",
        "duplicate-key",
        "yaml-syntax",
        "report-threshold-clause",
        "report-threshold-every",
    ],
)
def test_ruleset_errors_name_the_line(name: str, golden: Golden) -> None:
    path = FIXTURES / "policy" / f"{name}.yaml"
    with pytest.raises(PolicyError) as err:
        load(Ruleset, path)
    text = str(err.value).replace(str(FIXTURES), "FIXTURES")
    golden.check(f"load-errors/{name}.txt", text + "\n")


def test_document_misspelt_key_names_line_and_expected_keys(golden: Golden) -> None:
    with pytest.raises(PolicyError) as err:
        load(AupDocument, FIXTURES / "policy" / "aup-misspelt.yaml")
    text = str(err.value).replace(str(FIXTURES), "FIXTURES")
    assert ":7:" in text and "txt" in text
    golden.check("load-errors/aup-misspelt.txt", text + "\n")


def test_ruleset_clause_unknown_to_document(tmp_path: Path) -> None:
    src = (Path(load_ruleset.__code__.co_filename).parent / "default" / "rules.yaml").read_text()
    bad = tmp_path / "rules.yaml"
    bad.write_text(src.replace("  violence:\n", "  violense:\n"))
    with pytest.raises(PolicyError) as err:
        load_ruleset(bad, load_document())
    text = str(err.value)
    assert "violense" in text and "not a clause of AUP 1.0" in text
    assert "AUP clause 'violence' has no rules" in text
