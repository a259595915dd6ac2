"""Real local servers for tests: PostgreSQL schemas and Redis key prefixes, isolated per test."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis

PG_HOST, PG_PORT = "127.0.0.1", 5432
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


def free_port() -> int:
    """A loopback TCP port nothing listens on (at the time of asking)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def wait_for_redis(port: int, seconds: float = 5.0) -> None:
    """Until a redis-server on loopback answers PING; RuntimeError after `seconds`."""
    client = redis.Redis(port=port)
    end = time.monotonic() + seconds
    while True:
        try:
            client.ping()
            return
        except redis.RedisError:
            if time.monotonic() > end:
                raise RuntimeError(f"redis-server on port {port} did not start") from None
            time.sleep(0.05)


@contextmanager
def private_redis(cwd: Path | None = None) -> Iterator[tuple[str, int]]:
    """A redis-server of our own, without persistence, so nothing else reads or writes it:
    its URL and pid. Stopped (SIGTERM) on exit."""
    port = free_port()
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
    )
    wait_for_redis(port)
    try:
        yield f"redis://127.0.0.1:{port}/0", proc.pid
    finally:
        proc.terminate()
        proc.wait(10)


def _listening(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def require(host: str, port: int, what: str) -> None:
    """Skip on a developer machine without the server; fail in CI, where it must be up."""
    if not _listening(host, port):
        message = f"{what} is not listening on {host}:{port} (scripts/services.sh starts it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A fresh schema in database `test`; yields a URL whose search_path points at it."""
    require(PG_HOST, PG_PORT, "PostgreSQL")
    import psycopg

    schema = "t_" + uuid.uuid4().hex[:12]
    admin = f"host={PG_HOST} port={PG_PORT} dbname=test user=postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield (
            f"postgresql+psycopg://postgres@{PG_HOST}:{PG_PORT}/test"
            f"?options=-csearch_path%3D{schema}"
        )
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")
