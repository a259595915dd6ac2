"""`aupguard eval --as-submitted` and `--urls` on small inputs made here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aupguard.cli.main import app

runner = CliRunner()


def test_eval_urls(tmp_path: Path) -> None:
    (tmp_path / "bad.csv").write_text(
        "id,url\n1,https://paypa1.com/signin\n2,http://203.0.113.9/x.exe\n"
    )
    (tmp_path / "good.txt").write_text("https://docs.python.org/3/\nhttps://www.paypal.com/\n")
    result = runner.invoke(
        app,
        [
            "eval",
            "--urls",
            "--json",
            "-j",
            "1",
            "--clause",
            "phishing",
            "--pos",
            str(tmp_path / "bad.csv"),
            "--neg",
            str(tmp_path / "good.txt"),
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["positives"] == 2 and data["negatives"] == 2 and data["input"] == "urls"
    assert data["tp"] == 2 and data["fp"] == 0


def test_eval_as_submitted(tmp_path: Path) -> None:
    lure = (
        "From: PayPal <service@paypa1.com>\nTo: phishing@pot\nReceived: from x\n"
        "Subject: Account suspended\n\nYour account has been suspended. Verify your password "
        "at https://paypa1.com/login within 24 hours.\n"
    )
    (tmp_path / "pos").mkdir()
    (tmp_path / "neg").mkdir()
    (tmp_path / "pos" / "1.eml").write_text(lure)
    (tmp_path / "neg" / "1.eml").write_text("From: a@b.example\nSubject: lunch\n\nNoon?\n")
    result = runner.invoke(
        app,
        [
            "eval",
            "--as-submitted",
            "--json",
            "-j",
            "1",
            "--clause",
            "phishing",
            "--pos",
            str(tmp_path / "pos"),
            "--neg",
            str(tmp_path / "neg"),
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["input"] == "as-submitted" and data["tp"] == 1 and data["fp"] == 0


def test_dev_split_does_not_depend_on_how_the_path_is_spelt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--split` hashes a message's source: `../x/a.eml` and `/abs/x/a.eml` are the same
    file and must land in the same part (an mbox entry keeps its own number)."""
    from aupguard.cli.scanning import in_dev_split
    from aupguard.events.sources import email_event

    (tmp_path / "corpus").mkdir()
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")

    def part(source: str) -> bool:
        return in_dev_split(email_event(b"Subject: hi\n\nhello\n", source))

    names = [f"{n}.eml" for n in range(40)] + [f"box.mbox:{n}" for n in range(40)]
    for name in names:
        assert part(f"../corpus/{name}") == part(str(tmp_path / "corpus" / name)), name
    parts = {part(str(tmp_path / "corpus" / name)) for name in names}
    assert parts == {True, False}  # both parts are used
