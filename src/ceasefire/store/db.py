"""The database handle: one engine per process, SQLite tuned for durability.

SQLite runs in WAL mode with foreign keys enforced and `synchronous=FULL`, so
an acknowledged write survives a power cut; PostgreSQL is used as configured.
`Database.begin()` opens the transaction that a service commits as one unit.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, create_engine, event, update
from sqlalchemy.engine import make_url


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: Engine = create_engine_for(url)
        self.writers = threading.RLock() if self.is_sqlite else contextlib.nullcontext()
        """SQLite has one writer at a time. Writers of this process queue here, and are let
        in as soon as the one before them commits; left to SQLite's busy handler, they would
        poll with sleeps of up to 100 ms, and under load some would wait for seconds."""

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A transaction: committed when the block ends, rolled back if it raises."""
        with self.writers, self.engine.connect() as conn:
            conn.execution_options(writer=True)
            with conn.begin():
                yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    def dispose(self) -> None:
        self.engine.dispose()


def advance(
    conn: Connection, table: Table, record_id: str, from_version: int, **values: Any
) -> bool:
    """Move a record (a table with id and version) on one version with `values`, only if it
    is still at `from_version`; False if someone else moved it first."""
    done = conn.execute(
        update(table)
        .where(table.c.id == record_id, table.c.version == from_version)
        .values(version=from_version + 1, **values)
    )
    return done.rowcount == 1


POOL: dict[str, Any] = {"pool_size": 20, "max_overflow": 20}
"""Connections a process keeps (20), and how many more it may open at a busy moment (20):
the web app's request threads (up to 40) and the log worker run at once. A connection beyond
`pool_size` is closed when given back, so a smaller pool keeps opening connections under
load (on SQLite, each with its PRAGMAs). On PostgreSQL, whose default `max_connections` is
100, that allows two app processes (each with its dispatcher, which needs a few) and a
worker; for more, raise `max_connections`."""


def create_engine_for(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, **POOL)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **POOL)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy issue BEGIN itself so transactions behave as on PostgreSQL.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        # A writer takes the write lock up front (no lock-upgrade deadlocks between
        # writers); readers take none and run beside writers under WAL.
        writer = conn.get_execution_options().get("writer", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")

    return engine
