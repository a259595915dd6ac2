"""Eight processes deciding one tenant's events at once, with redeliveries: nothing doubles."""

from __future__ import annotations

import multiprocessing as mp
from pathlib import Path

from sqlalchemy import func, select

from aupguard.aup.load import load_document
from aupguard.decide import Decider
from aupguard.detectors.eicar import EicarDetector
from aupguard.detectors.registry import Registry
from aupguard.engine import Engine
from aupguard.rules.model import Ruleset
from aupguard.settings import Settings
from aupguard.store.db import Store
from aupguard.store.models import Action, AppliedEvent, Case, SendLogRow, Strike
from tests.enforce.helpers import FakeModel, add_tenant, decider, ruleset_with_model, sms

PROCESSES = 8
EVENTS = 24  # distinct event ids, every one a model-only violation


def warn_only() -> Ruleset:
    data = ruleset_with_model().model_dump(mode="json")
    data["ladders"]["default"] = {
        "steps": [{"strikes": 1, "action": "warn"}, {"strikes": 1000, "action": "suspend"}]
    }
    return Ruleset.model_validate(data)


def _worker(db_url: str, home: str, ids: list[int]) -> None:
    rs = warn_only()
    engine = Engine(rs, load_document(), Registry([EicarDetector, FakeModel]))
    d = Decider(
        Store(db_url, migrate=False), ruleset=rs, engine=engine, settings=Settings(home=Path(home))
    )
    for i in ids:
        d.decide(sms(f"ev-{i}", f"lottery win number {i}", minutes=i))
    d.store.dispose()


def test_eight_processes_one_case_exact_strikes(db_url: str, tmp_path: Path) -> None:
    d = decider(db_url, tmp_path, warn_only())
    add_tenant(d)
    d.store.dispose()
    # Every process gets all ids in a different order; each id is decided 8 times.
    plans = [[(i * (p + 3)) % EVENTS for i in range(EVENTS)] for p in range(PROCESSES)]
    ctx = mp.get_context("spawn")
    procs = [
        ctx.Process(target=_worker, args=(db_url, str(tmp_path / "home"), plan)) for plan in plans
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    store = Store(db_url, migrate=False)
    with store.read() as s:

        def count(model: type) -> int:
            return int(s.execute(select(func.count()).select_from(model)).scalar_one())

        assert count(AppliedEvent) == EVENTS
        assert count(SendLogRow) == EVENTS
        assert count(Strike) == EVENTS
        assert count(Case) == 1
        warns = s.execute(select(Action).where(Action.kind == "warn")).scalars().all()
        assert len(warns) == 1
    store.dispose()
