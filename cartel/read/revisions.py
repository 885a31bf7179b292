"""Revisions of what the public sees: bumped by every public write (cartel.write.audit), read once per
public request.

Each edition has a revision; the history revision changes whenever any edition's does, so pages
that span editions (/editions, /records, school pages, the home page) depend on it alone. Both are
bumped inside the writer's transaction, so a page computed for a revision stays right until the
next commit that changes it, whichever app process or server made that commit.
"""

from __future__ import annotations

import os
from typing import Any

import sqlalchemy as sa
from flask import current_app

from cartel.extensions import db
from cartel.models import Edition, HistoryRevision

# The only reads a RevisionReader makes, by name; compiled once per reader, for its database.
QUERIES: dict[str, sa.Select[Any]] = {
    # an edition not yet public has no public page: answered as if it did not exist
    "edition": sa.select(Edition.id, Edition.revision).where(
        Edition.year == sa.bindparam("year"), Edition.public.is_(True)
    ),
    "history": sa.select(HistoryRevision.revision).where(HistoryRevision.id == HistoryRevision.ROW_ID),
}


class RevisionReader:
    """The one-row reads every public request makes, on a few connections of their own.

    Autocommit DBAPI connections, detached from SQLAlchemy's pool, each with its cursor, are kept in
    a free list: a read takes one, runs one statement, puts it back; no pool checkout, no
    transaction to reset, and autocommit means each read sees the latest committed revision. There
    are as many as requests ever ran at once in this process. A broken connection is replaced once;
    a forked worker opens its own; disposing of the engine closes them all.
    """

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self._idle: list = []  # (connection, cursor); list.append/pop are atomic
        self._all: list = []
        self._sql = {name: self._compiled(statement) for name, statement in QUERIES.items()}
        sa.event.listen(engine, "engine_disposed", lambda _engine: self.close())
        os.register_at_fork(after_in_child=self._after_fork)

    def _after_fork(self) -> None:
        self._idle, self._all = [], []  # never share the parent's connections

    def _open(self) -> tuple:
        connection = self.engine.raw_connection()
        connection.detach()
        assert connection.dbapi_connection is not None  # a connection just opened, not yet closed
        self.engine.dialect.set_isolation_level(connection.dbapi_connection, "AUTOCOMMIT")
        pair = (connection, connection.cursor())
        self._all.append(pair)
        return pair

    def close(self) -> None:
        pairs, self._idle, self._all = self._all, [], []
        for connection, _cursor in pairs:
            try:
                connection.close()
            except Exception:
                pass

    def _compiled(self, statement: sa.Select[Any]) -> tuple[str, tuple[str, ...] | None, dict[str, Any]]:
        """The statement's SQL for this database, its parameter order (None: by name) and the values
        of its literal parameters."""
        compiled = statement.compile(dialect=self.engine.dialect)
        order = tuple(compiled.positiontup or ()) if compiled.positional else None
        return compiled.string, order, {k: v for k, v in compiled.params.items() if v is not None}

    def first_row(self, query: str, **params) -> tuple | None:
        """The first row of one of QUERIES, with ``params`` for its bound parameters."""
        sql, order, literals = self._sql[query]
        values = {**literals, **params} if literals else params
        args = tuple(values[name] for name in order) if order is not None else values
        for attempt in (1, 2):
            try:
                pair = self._idle.pop()
            except IndexError:
                pair = self._open()
            try:
                pair[1].execute(sql, args)
                row = pair[1].fetchone()
            except self.engine.dialect.loaded_dbapi.OperationalError:
                self._drop(pair)  # the server went away or restarted: reconnect once
                if attempt == 2:
                    raise
                continue
            self._idle.append(pair)
            return None if row is None else tuple(row)
        return None

    def _drop(self, pair: tuple) -> None:
        try:
            self._all.remove(pair)
            pair[0].close()
        except Exception:
            pass


def execute(query: str, **params) -> tuple | None:
    """The first row of one of QUERIES through this app's RevisionReader."""
    engine = db.engine
    reader = current_app.extensions.get("cartel_revision_reader")
    if reader is None or reader.engine is not engine:
        reader = current_app.extensions["cartel_revision_reader"] = RevisionReader(engine)
    return reader.first_row(query, **params)


def edition_revision(year: int) -> tuple[int, int] | None:
    """(edition id, revision) of the edition of ``year``, or None: one indexed query."""
    return execute("edition", year=year)


def history_revision() -> int:
    """The history revision: one query on a one-row table."""
    row = execute("history")
    return row[0] if row else 0
