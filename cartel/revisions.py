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
    db.session.execute(sa.update(HistoryRevision).where(HistoryRevision.id == HistoryRevision.ROW_ID)
                       .values(revision=HistoryRevision.revision + 1, revised_at=now)
                       .execution_options(synchronize_session=False))


_EDITION = sa.select(Edition.id, Edition.revision).where(Edition.year == sa.bindparam("year"))
_HISTORY = sa.select(HistoryRevision.revision).where(HistoryRevision.id == HistoryRevision.ROW_ID)


class RevisionReader:
    """The one-row reads every public request makes, on a connection of each thread's own.

    Each thread keeps one autocommit DBAPI connection (detached from the pool), so a read is a
    cursor call and nothing else: no pool checkout, no transaction to reset. Autocommit means each
    read sees the latest committed revision. A broken connection is replaced once; disposing of the
    engine closes them all.
    """

    def __init__(self, engine: sa.Engine):
        self.engine = engine
        self._local = threading.local()
        self._open: weakref.WeakSet = weakref.WeakSet()
        self._compiled: dict[int, sa.engine.Compiled] = {}
        sa.event.listen(engine, "engine_disposed", lambda _engine: self.close())

    def _connection(self):
        connection = getattr(self._local, "connection", None)
        if connection is None or self._local.pid != os.getpid():  # a forked worker opens its own
            connection = self.engine.raw_connection()
            connection.detach()
            self.engine.dialect.set_isolation_level(connection.dbapi_connection, "AUTOCOMMIT")
            self._local.connection, self._local.pid = connection, os.getpid()
            self._open.add(connection)
        return connection

    def _forget(self) -> None:
        connection = getattr(self._local, "connection", None)
        self._local.connection = None
        if connection is not None:
            self._open.discard(connection)
            try:
                connection.close()
            except self.engine.dialect.loaded_dbapi.Error:
                pass

    def close(self) -> None:
        for connection in list(self._open):
            try:
                connection.close()
            except Exception:  # noqa: BLE001  closing what may already be broken
                pass
        self._open = weakref.WeakSet()
        self._local = threading.local()

    def first_row(self, statement: sa.Select, **params) -> tuple | None:
        compiled = self._compiled.get(id(statement))
        if compiled is None:
            compiled = self._compiled[id(statement)] = statement.compile(dialect=self.engine.dialect)
        values = compiled.construct_params(params)
        args = tuple(values[name] for name in compiled.positiontup) if compiled.positional else values
        for attempt in (1, 2):
            try:
                cursor = self._connection().cursor()
                cursor.execute(compiled.string, args)
                row = cursor.fetchone()
                cursor.close()
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
