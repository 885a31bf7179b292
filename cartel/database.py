"""SQLite set up for concurrent use; PostgreSQL needs nothing here.

Each SQLite connection runs in WAL mode (readers never block the writer), waits up to
``BUSY_TIMEOUT_MS`` for a lock instead of failing, and enforces foreign keys. Write transactions
take the write lock when they begin (``BEGIN IMMEDIATE``): a transaction that first reads then
writes could otherwise fail with "database is locked" at the moment it upgrades its lock, a case
the busy timeout cannot wait out. Sessions that only read (the public pages' computations) mark
their engine ``read_only``, and GET requests (which never write) begin with a plain ``BEGIN``, so
they never queue behind writers nor hold the write lock while a page renders.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import has_request_context, request

BUSY_TIMEOUT_MS = 15_000
READ_ONLY = "cartel_read_only"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _on_connect(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # pysqlite must not issue its own BEGIN: we do
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")  # safe with WAL: a crash loses no committed transaction
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _reads_only(connection: sa.Connection) -> bool:
    """Sessions of read-only engines, and requests that never write (GET and HEAD: an organiser's
    entry form, confirmation page or history must not hold the write lock while they render)."""
    if connection.get_execution_options().get(READ_ONLY, False):
        return True
    return has_request_context() and request.method in SAFE_METHODS


def _on_begin(connection: sa.Connection) -> None:
    connection.exec_driver_sql("BEGIN" if _reads_only(connection) else "BEGIN IMMEDIATE")


def configure(engine: sa.Engine) -> None:
    """Install the SQLite settings on ``engine`` (nothing for other databases)."""
    if engine.dialect.name != "sqlite" or sa.event.contains(engine, "connect", _on_connect):
        return
    sa.event.listen(engine, "connect", _on_connect)
    sa.event.listen(engine, "begin", _on_begin)


def read_only(engine: sa.Engine) -> sa.Engine:
    """The same engine, for sessions that never write."""
    return engine.execution_options(**{READ_ONLY: True})
