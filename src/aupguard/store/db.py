"""The database: SQLite (WAL) by default, PostgreSQL by URL; write transactions; migrations."""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import files
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker


def database_url(url: str | None = None) -> str:
    """The URL given, else $AUPGUARD_DB_URL, else $AUPGUARD_HOME/aupguard.db (SQLite)."""
    home = os.environ.get("AUPGUARD_HOME", ".aupguard")
    return url or os.environ.get("AUPGUARD_DB_URL") or f"sqlite:///{home}/aupguard.db"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (see below)
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _sqlite_begin(conn: Any) -> None:
    # IMMEDIATE takes the write lock at the start, so concurrent writers queue on
    # busy_timeout instead of failing when a read transaction tries to upgrade. Reads
    # (`Store.read()`, never committed) begin deferred: in WAL mode they see a snapshot
    # and neither wait for writers nor hold them up.
    if conn.get_execution_options().get("aupguard_read"):
        conn.exec_driver_sql("BEGIN")
    else:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


class _WriterLock:
    """SQLite's one writer at a time, queued in the kernel: threads of this process take an
    RLock, then the process takes an exclusive flock on `<database>-writer.lock`, so a
    writer waiting in another process wakes the moment the lock is released instead of
    sleeping on busy_timeout (its sleeps grow to 100 ms; they were the tail of the API's
    latency with `serve --workers 2`). busy_timeout stays as the fallback for writers that
    bypass `Store.write()` (migrations, other tools)."""

    def __init__(self, path: str | None) -> None:
        self.path = f"{path}-writer.lock" if path else None
        self.threads = threading.RLock()
        self.depth = 0  # changed only by the thread holding `threads`
        self.fd: int | None = None
        self.pid = 0

    def __enter__(self) -> None:
        self.threads.acquire()
        self.depth += 1
        if self.depth == 1 and self.path:
            try:
                if self.fd is None or self.pid != os.getpid():  # opened again after a fork
                    self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
                    self.pid = os.getpid()
                fcntl.flock(self.fd, fcntl.LOCK_EX)
            except BaseException:
                self.depth -= 1
                self.threads.release()
                raise

    def __exit__(self, *_: object) -> None:
        try:
            if self.depth == 1 and self.fd is not None:
                fcntl.flock(self.fd, fcntl.LOCK_UN)
        finally:
            self.depth -= 1
            self.threads.release()


def _sqlite_file(url: str) -> str | None:
    """The database file of a SQLite URL, or None for an in-memory database."""
    path = url.split(":///", 1)[1].split("?", 1)[0] if ":///" in url else ""
    return path if path and path != ":memory:" else None


class Store:
    """One database. `write()` is a transaction: everything in it commits or nothing does."""

    def __init__(self, url: str | None = None, *, migrate: bool = True) -> None:
        self.url = database_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        kwargs: dict[str, Any] = {"future": True}
        if self.is_sqlite:
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        else:
            kwargs.update(pool_pre_ping=True, pool_size=5, max_overflow=10)
        self.engine: Engine = create_engine(self.url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "begin", _sqlite_begin)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        reader = self.engine.execution_options(aupguard_read=True)  # same pool
        self.readers = sessionmaker(reader, expire_on_commit=False)
        # SQLite has one writer at a time: writers queue on _WriterLock (threads, then
        # processes), each woken as soon as the writer before it commits.
        self._writer = _WriterLock(_sqlite_file(self.url)) if self.is_sqlite else None
        if migrate:
            self.migrate()

    def migrate(self) -> None:
        """Bring the schema to the newest migration (Alembic), creating it if needed."""
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(files("aupguard.store") / "migrations"))
        cfg.attributes["engine"] = self.engine
        command.upgrade(cfg, "head")

    @contextmanager
    def write(self) -> Iterator[Session]:
        if self._writer is None:
            with self.sessions() as session, session.begin():
                yield session
            return
        with self._writer, self.sessions() as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading: what it changes is never committed."""
        with self.readers() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
