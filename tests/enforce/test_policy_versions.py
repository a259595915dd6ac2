"""AUP versions: publishing tells every tenant once; acceptance explicit or by use."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import yaml
from sqlalchemy import select

from aupguard.aup.load import DEFAULT_PATH, load_document
from aupguard.aup.model import AupDocument
from aupguard.aup.versions import accept, acceptance_report, publish
from aupguard.enforce.rulesets import activate
from aupguard.store.models import AuditEntry, OutboxMessage
from tests.enforce.helpers import T0, add_tenant, decider, ruleset_with_model, sms


def new_version(effective: date) -> tuple[AupDocument, str]:
    data = yaml.safe_load(DEFAULT_PATH.read_text())
    data["version"], data["effective"] = "1.1", effective
    data["clauses"][1]["text"] += " Ransomware is malicious code."
    text = yaml.safe_dump(data, sort_keys=False)
    return AupDocument.model_validate(yaml.safe_load(text)), text


def test_publish_notifies_each_tenant_once_and_acceptance_report(
    db_url: str, tmp_path: Path
) -> None:
    d = decider(db_url, tmp_path)
    add_tenant(d, "acme")
    add_tenant(d, "globex")
    add_tenant(d, "initech", email=None)  # no contact: nothing to queue, still in the report
    doc, text = new_version(T0.date() + timedelta(days=1))
    with d.store.write() as s:
        publish(s, doc, text, actor="admin:lee", now=T0)
    with d.store.write() as s:
        try:
            publish(s, doc, text, actor="admin:lee", now=T0)
            raise AssertionError("publishing the same version twice must fail")
        except Exception as exc:  # EnforcementError
            assert "published already" in str(exc)
    with d.store.read() as s:
        notices = (
            s.execute(select(OutboxMessage).where(OutboxMessage.topic == "aup-change"))
            .scalars()
            .all()
        )
        assert sorted(n.tenant_id for n in notices if "1.1" in n.subject) == ["acme", "globex"]
        assert "Ransomware" in notices[-1].body
    with d.store.write() as s:
        accept(s, "acme", "1.1", how="explicit", actor="tenant:acme", now=T0)
    d.reload()
    # globex sends after 1.1 takes effect: accepted by use; the verdict cites 1.1
    later = sms("g1", "Hello", tenant="globex", minutes=60 * 48)
    from dataclasses import replace

    decision = d.decide(replace(later, tenant="globex"))
    assert decision.verdict is not None and decision.verdict.document_version == "1.1"
    before = d.decide(sms("a0", "Hi", tenant="acme"))
    assert before.verdict is not None and before.verdict.document_version == "1.0"
    with d.store.read() as s:
        report = {line.tenant_id: line.how for line in acceptance_report(s, "1.1")}
    assert report == {"acme": "explicit", "globex": "use", "initech": None}


def test_ruleset_change_is_audited_and_notifies_nobody(db_url: str, tmp_path: Path) -> None:
    d = decider(db_url, tmp_path)
    add_tenant(d)
    data = ruleset_with_model().model_dump(mode="json")
    data["version"] = "2026.11.2"
    from aupguard.rules.model import Ruleset

    with d.store.read() as s:
        before = len(s.execute(select(OutboxMessage)).all())
    assert activate(d.store, Ruleset.model_validate(data), actor="admin:lee")
    with d.store.read() as s:
        assert len(s.execute(select(OutboxMessage)).all()) == before
        kinds = [e.kind for e in s.execute(select(AuditEntry)).scalars()]
        assert kinds.count("ruleset.activate") == 2
    assert load_document().version == "1.0"
