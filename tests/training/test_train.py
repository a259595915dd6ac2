"""`aupguard train`: quick runs on small slices of the corpora, written outside the package."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aupguard.cli.main import app
from aupguard.models.linear import load
from tests.conftest import corpus

runner = CliRunner()
pytestmark = pytest.mark.corpora


def test_sms_training_writes_model_card_and_cv_numbers(tmp_path: Path) -> None:
    path = corpus("sms-spam-collection")
    args = ["train", "spam-sms", "--corpus", str(path), "--limit", "600", "--out", str(tmp_path)]
    result = runner.invoke(app, [*args, "--cv", "2", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["items"] == 600 and report["f1"] > 0.8
    model = load(tmp_path / "spam_sms.npz")
    card = (tmp_path / "spam_sms.md").read_text()
    assert model.sha256 in card and "2-fold nested cross-validation" in card
    again = runner.invoke(app, [*args, "--cv", "0"])  # the final fit does not depend on CV
    assert again.exit_code == 0
    assert load(tmp_path / "spam_sms.npz").sha256 == model.sha256  # reproducible bytes


def test_email_training_runs_on_a_slice(tmp_path: Path) -> None:
    path = corpus("spamassassin-public")
    args = [
        "train",
        "spam-email",
        "--corpus",
        str(path),
        "--limit",
        "25",
        "--cv",
        "0",
        "--out",
        str(tmp_path),
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert load(tmp_path / "spam_email.npz").size > 100
    assert "No cross-validation" in (tmp_path / "spam_email.md").read_text()


def test_refuses_a_corpus_whose_licence_forbids_shipping(tmp_path: Path) -> None:
    other = tmp_path / "smishing-mishra-soni"
    other.mkdir()
    (other / "SMSSpamCollection").write_text("ham\thello\n")
    result = runner.invoke(app, ["train", "spam-sms", "--corpus", str(other)])
    assert result.exit_code == 2
    assert "licence does not allow shipping" in result.stderr


def test_malformed_corpus_line_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "sms-spam-collection"
    bad.mkdir()
    (bad / "SMSSpamCollection").write_text("ham\thello\nspam without a tab\n")
    result = runner.invoke(app, ["train", "spam-sms", "--corpus", str(bad), "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "SMSSpamCollection:2: expected 'ham' or 'spam'" in result.stderr
