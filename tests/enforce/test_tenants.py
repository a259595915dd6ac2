"""Tenants and identities: DNS TXT proof (offline resolver), registrations, re-signup."""

from __future__ import annotations

from pathlib import Path

import pytest

from aupguard.enforce.actions import ActionRequest, take
from aupguard.enforce.dnsproof import expected_token
from aupguard.enforce.identities import IdentityKind
from aupguard.enforce.tenants import (
    Proof,
    add_identity,
    create_tenant,
    export_tenants,
    import_tenants,
    snapshot,
    verify_identity,
)
from aupguard.errors import EnforcementError
from aupguard.settings import Settings
from aupguard.store.db import Store
from tests.enforce.helpers import T0

KEY = b"k" * 32


def zone(records: dict[str, list[str]]) -> Proof:
    return Proof(txt_lookup=lambda name: records.get(name, []), token_key=KEY)


def test_domain_verified_only_with_the_tenants_token(db_url: str) -> None:
    store = Store(db_url)
    with store.write() as s:
        create_tenant(s, "acme", "Acme", actor="admin")
        create_tenant(s, "evil", "Evil", actor="admin")
        mine = add_identity(s, "acme", IdentityKind.DOMAIN, "Acme.Example.", actor="admin")
        theirs = add_identity(s, "evil", IdentityKind.DOMAIN, "acme.example", actor="admin")
        ident_mine, ident_theirs = mine.id, theirs.id
    records = {"_aupguard.acme.example": [expected_token(KEY, "acme", "acme.example")]}
    with store.write() as s:
        verify_identity(s, ident_mine, zone(records), actor="admin")
    with pytest.raises(EnforcementError, match="no TXT record"), store.write() as s:
        verify_identity(s, ident_theirs, zone(records), actor="admin")
    with store.write() as s:
        num = add_identity(s, "acme", IdentityKind.NUMBER, "+1 (555) 010-0001", actor="admin")
        with pytest.raises(EnforcementError, match="registration"):
            verify_identity(s, num.id, Proof(), actor="admin")
        verify_identity(s, num.id, Proof(record="10DLC campaign C-123"), actor="admin")
    with store.read() as s:
        snap = snapshot(s)
    assert snap.owner_of_domain("mail.acme.example") == "acme"
    assert snap.owner_of_number("+15550100001") == "acme"


def test_resignup_of_a_terminated_tenants_identity_is_refused(db_url: str, tmp_path: Path) -> None:
    from aupguard.aup.load import load_document

    store = Store(db_url)
    with store.write() as s:
        create_tenant(s, "bad", "Bad", actor="admin")
        add_identity(s, "bad", IdentityKind.DOMAIN, "spammy.example", actor="admin")
        take(
            s,
            ActionRequest("bad", "terminate", "reviewer:a", "spam", False),
            load_document(),
            T0,
            Settings(home=tmp_path / "home"),
        )
        create_tenant(s, "bad2", "Bad again", actor="admin")
        with pytest.raises(EnforcementError, match="terminated tenant 'bad'"):
            add_identity(s, "bad2", IdentityKind.DOMAIN, "SPAMMY.example", actor="admin")
        add_identity(
            s, "bad2", IdentityKind.DOMAIN, "spammy.example", actor="admin", allow_resignup=True
        )


def test_export_import_round_trip(db_url: str, tmp_path: object) -> None:
    store = Store(db_url)
    with store.write() as s:
        create_tenant(s, "acme", "Acme", actor="admin", contact_email="a@acme.example")
        row = add_identity(
            s, "acme", IdentityKind.IP_RANGE, "198.51.100.7/24", actor="admin", workload="crm"
        )
        verify_identity(s, row.id, Proof(record="assigned by ops ticket 42"), actor="admin")
        data = export_tenants(s)
    assert data[0]["identities"][0]["value"] == "198.51.100.0/24"
    other = Store("sqlite://")
    with other.write() as s:
        assert import_tenants(s, data, actor="admin") == 1
    with other.read() as s:
        assert snapshot(s).ip_in_ranges("acme", "198.51.100.9", "crm")
