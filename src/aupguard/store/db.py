"""The database: SQLite (WAL) by default, PostgreSQL by URL; write transactions; migrations."""

from __future__ import annotations

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
        # SQLite has one writer at a time. Threads of this process queue here and are woken
        # as soon as the writer commits; other processes still wait on busy_timeout, whose
        # sleeps (up to 100 ms each) were the tail of the API's latency under load.
        self._writer = threading.RLock() if self.is_sqlite else None
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
