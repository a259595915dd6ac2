"""The periodic posture job: every tenant's verified domains, from a zone (no DNS)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from typer.testing import CliRunner

from aupguard.cli.main import app
from aupguard.enforce.identities import IdentityKind
from aupguard.enforce.tenants import add_identity, create_tenant
from aupguard.store.db import Store


def test_posture_job_over_tenants(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'p.db'}"
    store = Store(db)
    with store.write() as s:
        create_tenant(s, "acme", "Acme", actor="t")
        for domain in ("good.example", "bare.example"):
            row = add_identity(s, "acme", IdentityKind.DOMAIN, domain, actor="t")
            row.proof, row.verified_at = "test", datetime.now(UTC)
        add_identity(s, "acme", IdentityKind.DOMAIN, "unverified.example", actor="t")
    zone = tmp_path / "zone.txt"
    zone.write_text(
        "good.example TXT v=spf1 -all\n"
        "_dmarc.good.example TXT v=DMARC1; p=reject\n"
        "s1._domainkey.good.example TXT v=DKIM1; k=rsa; p=MIIB\n"
    )
    result = CliRunner().invoke(
        app,
        ["auth", "posture", "--tenants", "--db", db, "--zone", str(zone), "-s", "s1", "-f", "json"],
    )
    assert result.exit_code == 1  # bare.example lacks everything
    assert "bare.example" in result.stdout and "good.example" in result.stdout
    assert "unverified.example" not in result.stdout
