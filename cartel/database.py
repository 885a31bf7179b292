"""SQLite set up for concurrent use; PostgreSQL needs nothing here.

Each SQLite connection runs in WAL mode (readers never block the writer), waits up to
``BUSY_TIMEOUT_MS`` for a lock instead of failing, and enforces foreign keys. Write transactions
take the write lock when they begin (``BEGIN IMMEDIATE``): a transaction that first reads then
writes could otherwise fail with "database is locked" at the moment it upgrades its lock, a case
the busy timeout cannot wait out. Sessions that only read (the public pages' computations) mark
their engine ``read_only``, and GET requests (which never write) begin with a plain ``BEGIN``, so
they never queue behind writers nor hold the write lock while a page renders.

It also says when the database cannot be used at all (``unavailable``: unreachable, read-only, disk
full, overloaded), as opposed to a bug in a query, and checks that it can take a write
(``check_writable``, for the health check).
"""

from __future__ import annotations

import os
import sqlite3
import sys
from typing import Any

import sqlalchemy as sa
from flask import has_request_context, request

BUSY_TIMEOUT_MS = 15_000
READ_ONLY = "cartel_read_only"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MIN_FREE_BYTES = 1 << 20  # below this, an SQLite database's next writes (its WAL growing) are about to fail

# SQLite's primary result codes that mean "cannot be used now", whatever the query: busy past the busy
# timeout, locked, out of memory, read-only, I/O error, disk full, cannot open the file, WAL protocol.
# SQLITE_ERROR (a syntax error, a missing table or column) and SQLITE_CONSTRAINT are bugs.
SQLITE_UNAVAILABLE = frozenset({5, 6, 7, 8, 10, 13, 14, 15})
# PostgreSQL's SQLSTATE classes and codes with the same meaning: connection exceptions (08), insufficient
# resources (53: disk full, out of memory, too many connections), operator intervention (57: shutting down,
# starting up, statement timeout), read-only transaction (25006: a standby, or default_transaction_read_only)
# and I/O error (58030). Constraint violations (23), syntax or undefined objects (42) are bugs.
POSTGRES_CLASSES = frozenset({"08", "53", "57"})
POSTGRES_STATES = frozenset({"25006", "58030"})


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


def unavailable(error: BaseException) -> bool:
    """Whether ``error`` says the database cannot be reached or written now (a 503, to retry later) rather
    than that a query is wrong (a bug: a 500). Takes SQLAlchemy's errors and the drivers' own."""
    if isinstance(error, sa.exc.TimeoutError):  # no connection free in the pool within its timeout
        return True
    if isinstance(error, sa.exc.DBAPIError):
        if error.connection_invalidated:  # SQLAlchemy recognised a lost connection
            return True
        return error.orig is not None and unavailable(error.orig)
    if isinstance(error, sqlite3.Error):
        return getattr(error, "sqlite_errorcode", 0) & 0xFF in SQLITE_UNAVAILABLE
    psycopg = sys.modules.get("psycopg")  # not loaded: the error cannot be one of its own
    if psycopg is None or not isinstance(error, psycopg.Error):
        return False
    if error.sqlstate is None:  # raised by the client: connection refused, lost or timed out
        return isinstance(error, psycopg.OperationalError)
    return error.sqlstate[:2] in POSTGRES_CLASSES or error.sqlstate in POSTGRES_STATES


def check_writable(engine: sa.Engine, column: sa.orm.InstrumentedAttribute[Any]) -> None:
    """Raise when the database cannot take a write now; leave no trace otherwise.

    The probe is a write statement that matches no row (``UPDATE table SET column = column WHERE
    false``), in a transaction rolled back: it needs the table, a connection and the right to write,
    takes no row lock and writes nothing. SQLite refuses it on a file the process may not write, or
    opened with ``mode=ro`` ("attempt to write a readonly database"), and takes the write lock like any
    write (waiting for it up to the busy timeout: "database is locked" past it). PostgreSQL refuses it in a
    read-only transaction, which covers a standby (``pg_is_in_recovery()``) and a database or role set
    to ``default_transaction_read_only``.

    A full disk shows in no rolled-back write (nothing reaches the disk), so for an SQLite file the free
    space of its file system is checked too (fewer than ``MIN_FREE_BYTES`` left: not writable).
    PostgreSQL's disk is the server's: when it fills, saves fail (a 503 to the user, SQLSTATE class 53)
    and the server stops once it cannot write its log, which this probe then sees.
    """
    with engine.connect() as connection:  # leaving the block rolls the transaction back
        files = []
        if engine.dialect.name == "sqlite":  # the main database's file ("" when it lives in memory)
            files = [
                row[2] for row in connection.exec_driver_sql("PRAGMA database_list") if row[1] == "main" and row[2]
            ]
        connection.execute(sa.update(column.class_).where(sa.false()).values({column: column}))
    for path in files:
        stat = os.statvfs(os.path.dirname(path))
        free = (stat.f_bavail if os.geteuid() else stat.f_bfree) * stat.f_frsize  # root may use the reserve
        if free < MIN_FREE_BYTES:
            raise OSError(f"{free} bytes free beside {path}: the disk is full")
