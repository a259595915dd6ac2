"""Nothing lost, nothing twice: kill -9 workers and restart Redis (AOF) during a run."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis
from sqlalchemy import func, select

from aupguard.enforce.tenants import create_tenant
from aupguard.events.model import Channel, Event, Flow, MessageContent
from aupguard.store.db import Store
from aupguard.store.models import AppliedEvent, Case, SendLogRow, Strike
from aupguard.stream.producer import STREAM, publish
from aupguard.stream.worker import INFLIGHT
from tests.servers import free_port, postgres_schema, wait_for_redis

EVENTS = int(os.environ.get("AUPGUARD_CRASH_EVENTS", "20000"))
STALL_S = 180  # seconds without one more recorded event before the test gives up
T0 = datetime(2026, 11, 10, tzinfo=UTC)


class AofRedis:
    """A private redis-server with append-only persistence, restartable."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.port = folder, free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_redis(self.port)

    def restart(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)  # a crash, not a clean shutdown
        self.proc.wait()
        self.start()

    def stop(self) -> None:
        if self.proc:
            self.proc.kill()
            self.proc.wait()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


@pytest.fixture
def aof_redis(tmp_path: Path) -> Iterator[AofRedis]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = AofRedis(tmp_path)
    server.start()
    yield server
    server.stop()


def events(n: int) -> Iterator[Event]:
    rng = random.Random(7)
    for i in range(n):
        tenant = f"t{i % 5}"
        when = T0 + timedelta(seconds=i)
        if i % 2:
            yield Event(
                f"ev-{i}",
                Channel.SMS,
                MessageContent(
                    f"Reminder {i}: your appointment is at {rng.randint(8, 18)}:00",
                    sender_id="+1555010000" + str(i % 5),
                ),
                when,
                tenant,
            )
        else:
            yield Event(
                f"ev-{i}",
                Channel.FLOW,
                Flow(f"198.51.100.{i % 200}", "203.0.113.5", 40000 + i % 1000, 443, "tcp", "SA"),
                when,
                tenant,
                workload="crm",
            )


@pytest.mark.slow
def test_kill_workers_and_restart_redis_nothing_lost(aof_redis: AofRedis, tmp_path: Path) -> None:
    with postgres_schema() as db_url:
        store = Store(db_url)
        with store.write() as s:
            for t in range(5):
                create_tenant(s, f"t{t}", f"T{t}", actor="test")
        client = redis.Redis.from_url(aof_redis.url)
        assert publish(client, events(EVENTS)) == EVENTS
        home = tmp_path / "home"
        env = {**os.environ, "AUPGUARD_HOME": str(home)}
        supervisor = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "aupguard.cli.main",
                "worker",
                "--processes",
                "2",
                "--redis",
                aof_redis.url,
                "--db",
                db_url,
                "--event-timeout",
                "60",
            ],
            env=env,
        )
        try:
            rng = random.Random(11)
            kills = sorted(rng.sample(range(EVENTS // 10, EVENTS * 8 // 10), 3))
            restarted = False
            # The run may be slow on a loaded machine; it fails only when it stops moving.
            last, moved = -1, time.monotonic()
            while time.monotonic() - moved < STALL_S:
                done = _count(store, AppliedEvent)
                if done != last:
                    last, moved = done, time.monotonic()
                if kills and done >= kills[0]:
                    kills.pop(0)
                    _kill_one_worker(aof_redis)
                if not restarted and done >= EVENTS // 2:
                    aof_redis.restart()
                    restarted = True
                if done >= EVENTS:
                    break
                time.sleep(0.2)
            assert restarted and not kills, f"no progress for {STALL_S} s at {last} events"
            assert _count(store, AppliedEvent) == EVENTS
            _wait_drained(aof_redis)
        finally:
            supervisor.terminate()
            supervisor.wait(30)
        assert _count(store, SendLogRow) == EVENTS
        with store.read() as s:
            dupes = s.execute(
                select(Strike.event_id, Strike.clause, func.count())
                .group_by(Strike.event_id, Strike.clause)
                .having(func.count() > 1)
            ).all()
            open_cases = s.execute(
                select(Case.tenant_id, Case.clause, func.count())
                .where(Case.state.in_(("open", "in_review", "actioned")))
                .group_by(Case.tenant_id, Case.clause)
                .having(func.count() > 1)
            ).all()
        assert dupes == [] and open_cases == []
        store.dispose()


def _count(store: Store, model: type) -> int:
    with store.read() as s:
        return int(s.execute(select(func.count()).select_from(model)).scalar_one())


def _kill_one_worker(server: AofRedis) -> None:
    client = redis.Redis.from_url(server.url)
    for _ in range(50):
        for value in client.hgetall(INFLIGHT).values():
            try:
                os.kill(int(value.decode().split("|")[0]), signal.SIGKILL)
                return
            except ProcessLookupError:
                continue  # an entry left by a worker killed earlier
        time.sleep(0.02)
    raise AssertionError("no worker was busy to kill")


def _wait_drained(server: AofRedis) -> None:
    client = redis.Redis.from_url(server.url)
    for _ in range(300):
        if client.xlen(STREAM) == 0:
            return
        time.sleep(0.1)
    raise AssertionError(f"{client.xlen(STREAM)} entries left in the stream")
