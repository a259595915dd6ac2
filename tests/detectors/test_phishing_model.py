"""The shipped phishing model: loads, is recorded by hash, scores as its data card says."""

from __future__ import annotations

import hashlib
import json
from importlib.resources import files
from pathlib import Path

import pytest
import typer

from aupguard.cli.train_phishing import held_out, in_held_out_half, training_files, written_mail
from aupguard.detectors.context import Context
from aupguard.detectors.phishing import PhishingModelDetector, load_model
from aupguard.events.normalize import views_for
from tests.conftest import corpus
from tests.detectors.samples import mail


def test_model_hash_matches_file_and_data_card() -> None:
    raw = (files("aupguard.models") / "phishing.json").read_bytes()
    sha = hashlib.sha256(raw).hexdigest()
    assert load_model().sha256 == sha == PhishingModelDetector.model_hash
    card = (files("aupguard.models") / "phishing.md").read_text("utf-8")
    assert sha in card


def test_model_ranks_a_lure_above_a_note() -> None:
    model = PhishingModelDetector(PhishingModelDetector.Options(noise_floor=0.0))
    lure = mail(
        "Dear customer, your account has been suspended. Verify your password within 24 "
        "hours at http://203.0.113.7/secure/login.php or your account will be closed."
    )
    note = mail("Hi Sam, the minutes from Tuesday's planning meeting are attached. Thanks, Jo")

    def p(event: object) -> float:
        found = model.check(views_for(event), Context())  # type: ignore[arg-type]
        return found[0].strength if found else 0.0

    assert p(lure) > p(note)


def test_training_never_reads_the_held_out_ham_or_evaluation_corpora() -> None:
    root = corpus("spamassassin-public").parent
    pos, neg = training_files(root)
    names = {p.parts[len(root.parts)] for p in pos + neg}
    assert names <= {"spamassassin-public", "spamassassin-testdata"}
    for path in neg:
        if path.parts[len(root.parts)] == "spamassassin-public":
            assert not held_out(root, path) and not in_held_out_half(path)


def test_held_out_half_is_stable_and_about_half() -> None:
    root = corpus("spamassassin-public")
    ham = sorted(p for p in root.glob("*ham*/*") if p.is_file())
    share = sum(in_held_out_half(p) for p in ham) / len(ham)
    assert 0.4 < share < 0.6
    assert in_held_out_half(ham[0]) == in_held_out_half(Path(str(ham[0])))


def test_written_mail_becomes_submitted_messages(tmp_path: Path) -> None:
    rows = [
        {
            "label": 1,
            "from_name": "IT Service Desk",
            "from_address": "it@desk.example",
            "subject": "Password expires today",
            "note": "m365",
            "text": "Keep your password: sign in at http://203.0.113.9/owa/login now.",
        },
        {
            "label": 0,
            "from_name": "Parcel Co",
            "from_address": "track@parcel.example",
            "subject": "Your parcel is on its way",
            "note": "shipping",
            "text": "Track it at https://parcel.example/t/123. Nothing to do.",
        },
    ]
    (tmp_path / "a.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    tokens, labels, counts = written_mail(tmp_path)
    assert labels == [1, 0] and counts == {"a.jsonl": 2}
    assert "s:password" in tokens[0] and "password" in tokens[0]
    assert any(t.startswith("sig:URL_") for t in tokens[0])  # the IP host is a URL trait
    assert "s:parcel" in tokens[1]


def test_a_broken_written_item_names_its_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "b.jsonl").write_text('{"label": 1, "subject": "x"}\n')
    with pytest.raises(typer.Exit):
        written_mail(tmp_path)
