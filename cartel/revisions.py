"""Revisions of what the public sees: bumped by every public write, read once per public request.

Each edition has a revision; the history revision changes whenever any edition's does, so pages
that span editions (/editions, /records, school pages, the home page) depend on it alone. Both are
bumped inside the writer's transaction, so a page computed for a revision stays right until the
next commit that changes it, whichever app process or server made that commit.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

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
_compiled: dict[tuple[int, int], sa.engine.Compiled] = {}


def execute(statement: sa.Select, **params) -> tuple | None:
    """The first row of a small read, straight through the pool's DBAPI connection.

    Every public request makes one such read, so it skips SQLAlchemy's result machinery (a fifth
    of the cost of a cached page on SQLite); the statement is compiled once per engine.
    """
    engine = db.engine
    key = (id(engine), id(statement))
    compiled = _compiled.get(key)
    if compiled is None:
        compiled = _compiled[key] = statement.compile(dialect=engine.dialect)
    values = compiled.construct_params(params)
    args = tuple(values[name] for name in compiled.positiontup) if compiled.positional else values
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(compiled.string, args)
        row = cursor.fetchone()
        cursor.close()
    finally:
        connection.close()
    return None if row is None else tuple(row)


def edition_revision(year: int) -> tuple[int, int] | None:
    """(edition id, revision) of the edition of ``year``, or None: one indexed query."""
    return execute(_EDITION, year=year)


def history_revision() -> int:
    """The history revision: one query on a one-row table."""
    row = execute(_HISTORY)
    return row[0] if row else 0
