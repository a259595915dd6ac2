"""scripts/local-deployment.sh end to end: start, events decided, status, stop."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import alive, free_port, postgres_schema, private_redis

SCRIPT = Path(__file__).parents[1] / "scripts" / "local-deployment.sh"


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A redis-server of our own: the deployment's stream never meets another test's keys."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    with private_redis(cwd=tmp_path) as (url, _pid):
        yield url


def _run(args: list[str], env: dict[str, str], timeout: float) -> str:
    done = subprocess.run(
        ["bash", str(SCRIPT), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _pids(run: Path) -> list[int]:
    return [int(p.read_text()) for p in (run / "pids").glob("*.pid")]


@pytest.mark.slow
@pytest.mark.postgres
def test_start_decide_and_stop(tmp_path: Path, redis_url: str) -> None:
    run = tmp_path / "run"
    # Three ports in a row for API, relay and sink: take a free one and hope for its
    # neighbours, as the script's operators do with AUPGUARD_LOCAL_PORT.
    base = free_port()
    with postgres_schema() as db_url:
        env = dict(
            os.environ,
            AUPGUARD_RUN=str(run),
            AUPGUARD_LOCAL_DB=db_url,
            AUPGUARD_LOCAL_REDIS=redis_url,
            AUPGUARD_LOCAL_PORT=str(base),
            AUPGUARD_BIN=str(Path(sys.executable).parent),
        )
        try:
            out = _run(["start"], env, timeout=900)
            pids = _pids(run)
            assert len(pids) == 4 and all(alive(p) for p in pids)
            assert "5 of 5 events decided by the workers" in out
            # Published events are decided by the workers with the shipped ruleset.
            assert "sms    hold" in out  # the look-alike payment link
            assert "flow   allow" in out
            assert "eicar: refused 550" in out and "clean: accepted and relayed" in out
            assert len(list((run / "sink" / "new").iterdir())) == 1
            again = _run(["check"], env, timeout=300)
            assert "5 of 5 events decided by the workers" in again
            assert "worker: pid" in _run(["status"], env, timeout=30)
        finally:
            pids = _pids(run)
            stopped = _run(["stop"], env, timeout=120)
        assert "stopped" in stopped
        assert not any(alive(p) for p in pids)
        assert not list((run / "pids").glob("*.pid"))
        assert "worker: stopped" in _run(["status"], env, timeout=30)
