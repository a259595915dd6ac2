"""`aupguard explain` golden output; `aupguard policy check|show|diff`."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from aupguard.aup.load import DEFAULT_PATH as AUP
from aupguard.cli.main import app
from aupguard.detectors.eicar import EICAR
from aupguard.rules.load import DEFAULT_PATH as RULES
from tests.conftest import FIXTURES, Golden
from tests.detectors.samples import mail

runner = CliRunner()


def _stable(text: str, tmp: Path) -> str:
    """Paths and the ruleset's version and hash vary; the reasoning must not."""
    text = re.sub(r"ruleset \S+ \([0-9a-f]{12}\)", "ruleset VERSION (HASH)", text)
    return text.replace(str(tmp), "TMP")


def test_explain_golden_clean_and_eicar(tmp_path: Path, golden: Golden) -> None:
    (tmp_path / "clean.eml").write_bytes((FIXTURES / "mail" / "nested.eml").read_bytes())
    from aupguard.events.model import EmailContent

    content = mail("Invoice attached", ("invoice.com", EICAR)).content
    assert isinstance(content, EmailContent)
    (tmp_path / "eicar.eml").write_bytes(content.raw)
    for name in ("clean.eml", "eicar.eml"):
        result = runner.invoke(app, ["explain", str(tmp_path / name)], env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output
        golden.check(f"explain/{name}.txt", _stable(result.stdout, tmp_path))


def test_policy_check_ok_and_broken() -> None:
    ok = runner.invoke(app, ["policy", "check"])
    assert ok.exit_code == 0 and "ok" in ok.stdout
    bad = runner.invoke(
        app, ["policy", "check", "--rules", str(FIXTURES / "policy" / "misspelt-key.yaml")]
    )
    assert bad.exit_code == 2 and "misspelt-key.yaml:6: clauses.malware.tresholds" in bad.stderr


def test_policy_show_lists_clauses_and_weights() -> None:
    result = runner.invoke(app, ["policy", "show"], env={"COLUMNS": "200"})
    assert "origin-forgery" in result.stdout and "EICAR: +1.00" in result.stdout


def test_policy_diff(tmp_path: Path) -> None:
    new = tmp_path / "rules.yaml"
    new.write_text(RULES.read_text().replace("EICAR: 1.0", "EICAR: 0.8"))
    result = runner.invoke(app, ["policy", "diff", str(RULES), str(new)])
    assert result.exit_code == 1 and "clauses.malware.signals.EICAR: 1.0 -> 0.8" in result.stdout
    same = runner.invoke(app, ["policy", "diff", str(AUP), str(AUP)])
    assert same.exit_code == 0 and "no changes" in same.stdout
    mixed = runner.invoke(app, ["policy", "diff", str(AUP), str(RULES)])
    assert mixed.exit_code == 2


def test_explain_golden_probe_capture(tmp_path: Path, golden: Golden) -> None:
    from tests.events.test_flows import ACK, SA, A, B, P, R, S, pcap, tcp

    capture = pcap(
        tcp(A, B, 40000, 80, S),
        tcp(B, A, 80, 40000, SA),
        tcp(A, B, 40000, 80, R),
        tcp(A, B, 40001, 443, S),
        tcp(B, A, 443, 40001, SA),
        tcp(A, B, 40001, 443, ACK),
        tcp(A, B, 40001, 443, R | ACK),
        tcp(A, B, 40002, 43, S),
        tcp(B, A, 43, 40002, SA),
        tcp(A, B, 40002, 43, ACK | P, b"example.org\r\n"),
    )
    (tmp_path / "probe.pcap").write_bytes(capture)
    result = runner.invoke(app, ["explain", str(tmp_path / "probe.pcap")], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    golden.check("explain/probe.pcap.txt", _stable(result.stdout, tmp_path))
