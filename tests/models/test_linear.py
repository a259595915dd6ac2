"""The shipped linear models: safe format, reproducible bytes, parity with training, tied rules."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np
import pytest

from aupguard.errors import ModelError
from aupguard.models import linear
from aupguard.rules.load import load_ruleset
from aupguard.training.fit import Spec, fit

MODELS = Path(linear.__file__).parent
DOCS = [
    ["cheap", "pills", "now"],
    ["meeting", "at", "noon"],
    ["cheap", "watches"],
    ["lunch", "at", "noon"],
] * 5


def _tiny() -> tuple[dict[str, np.ndarray], object]:
    labels = np.asarray([1, 0, 1, 0] * 5)
    fitted = fit(DOCS, labels, np.ones(len(labels)), Spec(min_df=1))
    arrays = linear.pack(
        fitted.vocab, fitted.idf, fitted.weight, fitted.bias, (2.0, 0.1), 0.5, {"name": "t"}
    )
    return arrays, fitted


def test_save_is_byte_for_byte_reproducible(tmp_path: Path) -> None:
    arrays, _ = _tiny()
    a = linear.save(tmp_path / "a.npz", arrays)
    b = linear.save(tmp_path / "b.npz", arrays)
    assert a == b == hashlib.sha256((tmp_path / "a.npz").read_bytes()).hexdigest()


def test_runtime_margin_matches_training(tmp_path: Path) -> None:
    arrays, fitted = _tiny()
    linear.save(tmp_path / "m.npz", arrays)
    model = linear.load(tmp_path / "m.npz")
    docs = [["cheap", "cheap", "pills", "unknown"], ["noon", "meeting"], ["nothing", "known"]]
    expected = fitted.decision(docs)  # type: ignore[attr-defined]
    got = [model.score(d).margin for d in docs]
    assert np.allclose(got, expected, atol=1e-5)


def test_bad_files_are_errors_that_say_what_to_do(tmp_path: Path) -> None:
    (tmp_path / "x.npz").write_bytes(b"not a zip")
    with pytest.raises(ModelError, match="rerun `aupguard train`"):
        linear.load(tmp_path / "x.npz")


@pytest.mark.parametrize(
    ("name", "signal"), [("spam_email", "SPAM_CONTENT"), ("spam_sms", "SMS_SPAM_CONTENT")]
)
def test_shipped_model_matches_its_card_and_the_ruleset(name: str, signal: str) -> None:
    path = MODELS / f"{name}.npz"
    model = linear.shipped(name)
    assert path.stat().st_size < 3_000_000  # a few MB at most
    card = (MODELS / f"{name}.md").read_text()
    assert model.sha256 in card, "the data card names another file: rerun `aupguard train`"
    assert f"**{model.threshold:.4f}**" in card
    assert re.search(r"nested cross-validation", card)
    # the ruleset flags exactly from the model's CV-chosen operating threshold
    rules = load_ruleset()
    clause = rules.clauses["message-abuse"]
    flag = rules.thresholds_for("message-abuse").flag
    assert flag is not None
    weight = clause.signals[signal]
    assert weight * model.threshold >= flag
    assert weight * (model.threshold - 0.01) < flag


def test_explanation_comes_from_the_same_pass_as_the_score(tmp_path: Path) -> None:
    arrays, _ = _tiny()
    linear.save(tmp_path / "m.npz", arrays)
    model = linear.load(tmp_path / "m.npz")
    doc = ["cheap", "cheap", "pills", "noon", "unknown"]
    quiet = model.score(doc)
    assert quiet.top == ()  # nothing asked for
    named = model.score(doc, explain_from=0.0, top=2)
    assert named.probability == quiet.probability and named.margin == quiet.margin
    tokens = [t for t, _ in named.top]
    assert tokens[0] == "cheap" and "unknown" not in tokens and "noon" not in tokens
    assert all(c > 0 for _, c in named.top) and len(named.top) <= 2
    assert model.explain(doc, 2) == named
    # above `explain_from` only: a ham-like text is scored but not explained
    assert model.score(["noon", "meeting"], explain_from=0.99).top == ()
    assert model.score([]).margin == pytest.approx(model.bias)
