"""Revisions of what the public sees: bumped by every public write, read once per public request.

Each edition has a revision; the history revision changes whenever any edition's does, so pages
that span editions (/editions, /records, school pages, the home page) depend on it alone. Both are
bumped inside the writer's transaction, so a page computed for a revision stays right until the
next commit that changes it, whichever app process or server made that commit.
"""
from __future__ import annotations

import datetime as dt
import os
import threading
import weakref

import sqlalchemy as sa
from flask import current_app

from cartel.extensions import db
from cartel.models import Edition, HistoryRevision

HISTORY = "history"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def bump(edition_id: int | None) -> None:
    """Mark one edition (every edition when ``edition_id`` is None) and the history as changed."""
    now = _now()
    editions = sa.update(Edition).values(revision=Edition.revision + 1, revised_at=now)
    if edition_id is not None:
        editions = editions.where(Edition.id == edition_id)
    db.session.execute(editions.execution_options(synchronize_session=False))
    history = db.session.execute(sa.update(HistoryRevision).where(HistoryRevision.id == HistoryRevision.ROW_ID)
                                 .values(revision=HistoryRevision.revision + 1, revised_at=now)
                                 .execution_options(synchronize_session=False))
    if history.rowcount == 0:  # the migration creates the row; a database emptied by hand lost it
        db.session.add(HistoryRevision(id=HistoryRevision.ROW_ID, revision=2, revised_at=now))


_EDITION = sa.select(Edition.id, Edition.revision).where(Edition.year == sa.bindparam("year"))
_HISTORY = sa.select(HistoryRevision.revision).where(HistoryRevision.id == HistoryRevision.ROW_ID)


class RevisionReader:
    """The one-row reads every public request makes, on a connection of each thread's own.

    Each thread keeps one autocommit DBAPI connection (detached from the pool) and its cursor, so a
    read is one cursor call: no pool checkout, no transaction to reset. Autocommit means each read
    sees the latest committed revision. A broken connection is replaced once; a forked worker opens
    its own; disposing of the engine closes them all.
    """

    def __init__(self, engine: sa.Engine):
        self.engine = engine
        self._local = threading.local()
        self._open: weakref.WeakSet = weakref.WeakSet()
        self._sql: dict[int, tuple[str, tuple[str, ...] | None, dict]] = {}
        self._errors = engine.dialect.loaded_dbapi.Error
        sa.event.listen(engine, "engine_disposed", lambda _engine: self.close())
        os.register_at_fork(after_in_child=self._after_fork)

    def _after_fork(self) -> None:
        self._local = threading.local()  # never share the parent's connections
        self._open = weakref.WeakSet()

    def _cursor(self):
        cursor = getattr(self._local, "cursor", None)
        if cursor is None:
            connection = self.engine.raw_connection()
            connection.detach()
            self.engine.dialect.set_isolation_level(connection.dbapi_connection, "AUTOCOMMIT")
            self._open.add(connection)
            self._local.connection, cursor = connection, connection.cursor()
            self._local.cursor = cursor
        return cursor

    def _forget(self) -> None:
        connection = getattr(self._local, "connection", None)
        self._local.connection = self._local.cursor = None
        if connection is not None:
            self._open.discard(connection)
            try:
                connection.close()
            except self._errors:
                pass

    def close(self) -> None:
        for connection in list(self._open):
            try:
                connection.close()
            except Exception:  # noqa: BLE001  closing what may already be broken
                pass
        self._after_fork()

    def _compiled(self, statement: sa.Select) -> tuple[str, tuple[str, ...] | None, dict]:
        """The statement's SQL for this database, its parameter order (None: by name) and the
        values of its literal parameters."""
        found = self._sql.get(id(statement))
        if found is None:
            compiled = statement.compile(dialect=self.engine.dialect)
            literals = {k: v for k, v in compiled.params.items() if v is not None}
            found = self._sql[id(statement)] = (
                compiled.string, tuple(compiled.positiontup) if compiled.positional else None, literals)
        return found

    def first_row(self, statement: sa.Select, **params) -> tuple | None:
        sql, order, literals = self._compiled(statement)
        values = {**literals, **params} if literals else params
        args = tuple(values[name] for name in order) if order is not None else values
        for attempt in (1, 2):
            try:
                cursor = self._cursor()
                cursor.execute(sql, args)
                row = cursor.fetchone()
                return None if row is None else tuple(row)
            except self.engine.dialect.loaded_dbapi.OperationalError:
                self._forget()  # the server went away or restarted: reconnect once
                if attempt == 2:
                    raise
        return None


def execute(statement: sa.Select, **params) -> tuple | None:
    """The first row of a small read through this app's RevisionReader."""
    engine = db.engine
    reader = current_app.extensions.get("cartel_revision_reader")
    if reader is None or reader.engine is not engine:
        reader = current_app.extensions["cartel_revision_reader"] = RevisionReader(engine)
    return reader.first_row(statement, **params)


def edition_revision(year: int) -> tuple[int, int] | None:
    """(edition id, revision) of the edition of ``year``, or None: one indexed query."""
    return execute(_EDITION, year=year)


def history_revision() -> int:
    """The history revision: one query on a one-row table."""
    row = execute(_HISTORY)
    return row[0] if row else 0
