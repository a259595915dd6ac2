"""Ruleset versions: recorded and audited when they change; they notify no tenant."""

from __future__ import annotations

from datetime import UTC, datetime

import yaml
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from aupguard.audit.chain import append as audit
from aupguard.rules.model import Ruleset
from aupguard.store.db import Store
from aupguard.store.models import RulesetVersion


def activate(store: Store, ruleset: Ruleset, *, actor: str) -> bool:
    """Make `ruleset` the active one; False when it already was (same content hash)."""
    try:
        return _activate(store, ruleset, actor)
    except IntegrityError:  # activated by another process at the same moment
        return False


def _activate(store: Store, ruleset: Ruleset, actor: str) -> bool:
    with store.write() as s:
        row = s.get(RulesetVersion, ruleset.content_hash)
        if row is not None and row.active:
            return False
        s.execute(update(RulesetVersion).values(active=False))
        if row is None:
            text = yaml.safe_dump(ruleset.model_dump(mode="json"), sort_keys=False)
            row = RulesetVersion(
                hash=ruleset.content_hash,
                version=ruleset.version,
                ruleset=text,
                activated_at=datetime.now(UTC),
                actor=actor,
            )
            s.add(row)
        row.active = True
        audit(
            s,
            actor=actor,
            kind="ruleset.activate",
            subject=f"ruleset:{ruleset.content_hash[:16]}",
            data={"version": ruleset.version, "hash": ruleset.content_hash},
        )
    return True
