"""Key files: made once, whole, and the same for processes that start together."""

from __future__ import annotations

import multiprocessing as mp
from pathlib import Path

from aupguard.settings import Settings


def _key(home: str, out: mp.Queue[str]) -> None:
    out.put(Settings(home=Path(home)).secret("token").hex())


def test_processes_starting_together_share_one_complete_key(tmp_path: Path) -> None:
    ctx = mp.get_context("fork")
    out: mp.Queue[str] = ctx.Queue()
    procs = [ctx.Process(target=_key, args=(str(tmp_path), out)) for _ in range(8)]
    for p in procs:
        p.start()
    keys = {out.get(timeout=60) for _ in procs}
    for p in procs:
        p.join(60)
    assert len(keys) == 1 and len(bytes.fromhex(keys.pop())) == 32
    assert [p.name for p in (tmp_path / "keys").iterdir()] == ["token.key"]  # no leftovers
