"""Which database, and how to talk to it: URL rules and engine set-up per backend.

SQLite is the embedded default, and several processes may share its file (the web app, a
CLI command, a scheduler), so every connection gets:

* ``journal_mode=WAL``: readers do not block the writer, nor the writer the readers;
* ``synchronous=NORMAL``: safe with WAL (a power cut may lose the last commits, never
  corrupt the file), and far fewer fsyncs than ``FULL``;
* ``foreign_keys=ON``: SQLite enforces them only when asked;
* a busy timeout, so a writer waits for another process's write instead of failing.

SQLite's Python driver starts transactions lazily and only before a data change, so a read
followed by a write in one transaction could read outside it, or meet "database is locked"
without waiting when two processes upgrade their read locks at once. The engine therefore
issues ``BEGIN`` itself: ``BEGIN IMMEDIATE`` for connections marked with :data:`WRITE`
(taking the write lock first, where the busy timeout applies), plain ``BEGIN`` otherwise.

PostgreSQL is reached through psycopg 3; a plain ``postgresql://`` URL is read that way.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Engine, create_engine, event, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import QueuePool, StaticPool

from silta.store.errors import StoreError

__all__ = [
    "SQLITE_BUSY_TIMEOUT_MS",
    "WRITE",
    "make_engine",
    "normalise_url",
    "redacted",
    "sqlite_file",
    "sqlite_memory",
]

SQLITE_BUSY_TIMEOUT_MS = 30_000
# execution options of a connection that will write: on SQLite it begins with BEGIN IMMEDIATE
WRITE: dict[str, Any] = {"silta_sqlite_begin": "IMMEDIATE"}
_BEGIN_OPTION = "silta_sqlite_begin"
_BEGIN_STATEMENTS = {"DEFERRED": "BEGIN", "IMMEDIATE": "BEGIN IMMEDIATE"}


def normalise_url(url: str | URL) -> URL:
    """``url`` as SQLAlchemy should use it: PostgreSQL through psycopg 3.

    Raises:
        StoreError: not a URL, or not SQLite or PostgreSQL (the message shows no password).
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(
            "the database URL is not a URL; expected e.g. sqlite:///silta.db or "
            "postgresql://user@host/dbname"
        ) from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    backend, driver = parsed.get_backend_name(), parsed.get_driver_name()
    if backend == "sqlite" and driver in ("", "pysqlite"):
        return parsed
    if backend == "postgresql" and driver == "psycopg":
        return parsed
    raise StoreError(
        f"Silta keeps its state in SQLite or PostgreSQL (psycopg 3), not in {parsed.drivername} "
        f"({redacted(parsed)})"
    )


def redacted(url: URL) -> str:
    """``url`` without any password, for messages and logs."""
    query = {key: value for key, value in url.query.items() if key.lower() != "password"}
    return url.set(query=query).render_as_string(hide_password=True)


def sqlite_memory(url: URL) -> bool:
    """Whether ``url`` is a SQLite database that lives only in memory."""
    if url.get_backend_name() != "sqlite":
        return False
    return (url.database or "") in ("", ":memory:") or url.query.get("mode") == "memory"


def sqlite_file(url: URL) -> Path | None:
    """The database file of a SQLite URL, ``None`` for memory databases and other backends."""
    if url.get_backend_name() != "sqlite" or sqlite_memory(url):
        return None
    return Path((url.database or "").removeprefix("file:"))


def compact_json(value: Any) -> str:
    """JSON without spaces; the empty lists most run entries carry cost no encoder call."""
    if isinstance(value, list) and not value:
        return "[]"
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def make_engine(url: URL) -> Engine:
    """An engine set up for ``url``'s backend (see the module docstring)."""
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    # pre-ping: a worker outlives database restarts and idle-connection reaping
    return create_engine(url, pool_pre_ping=True, json_serializer=compact_json)


def _use_wal(cursor: Any) -> None:
    """Switch the database file to WAL (it stays so), waiting out another connection.

    The switch needs the file to itself, and SQLite answers "database is locked" at once
    rather than through the busy timeout when another connection holds it (a second
    process opening a new database while the first migrates it). WAL is a property of the
    file, so once any connection has switched, the others find it so and skip.
    """
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        cursor.execute("PRAGMA journal_mode")
        if str(cursor.fetchone()[0]).lower() in ("wal", "memory"):
            return
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _sqlite_engine(url: URL) -> Engine:
    options: dict[str, Any] = {"json_serializer": compact_json}
    if (url.database or "") in ("", ":memory:"):
        # One shared connection, or every thread would see its own empty database. It
        # serializes nothing: a plain memory database suits tests and demos, not threads.
        options |= {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
    elif sqlite_memory(url):  # a named shared-cache memory database: a real pool
        options |= {"poolclass": QueuePool}
    engine = create_engine(url, **options)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # the engine issues BEGIN itself (below)
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            _use_wal(cursor)
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get(_BEGIN_OPTION, "DEFERRED")
        connection.exec_driver_sql(_BEGIN_STATEMENTS[mode])

    return engine
