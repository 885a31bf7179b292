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


def edition_revision(year: int) -> tuple[int, int] | None:
    """(edition id, revision) of the edition of ``year``, or None: one indexed query."""
    with db.engine.connect() as conn:
        row = conn.execute(_EDITION, {"year": year}).first()
    return None if row is None else (row[0], row[1])


def history_revision() -> int:
    """The history revision: one query on a one-row table."""
    with db.engine.connect() as conn:
        return conn.execute(_HISTORY).scalar() or 0
