"""Who makes a change and the audit entry each change leaves, written in the change's own transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult

from cartel.core.audit import PRIVATE_ENTITIES, Action
from cartel.core.clock import utcnow
from cartel.extensions import db
from cartel.models import AuditEntry, Edition, HistoryRevision


def bump_revisions(edition_id: int | None) -> None:
    """Mark one edition (every edition when ``edition_id`` is None) and the history as changed for the
    public (``cartel.read.revisions`` reads them): pages and ETags computed for the old revisions expire."""
    now = utcnow()
    editions = sa.update(Edition).values(revision=Edition.revision + 1, revised_at=now)
    if edition_id is not None:
        editions = editions.where(Edition.id == edition_id)
    db.session.execute(editions.execution_options(synchronize_session=False))
    # an UPDATE's result is a CursorResult (Session.execute is typed as returning any Result)
    history = cast(
        CursorResult[Any],
        db.session.execute(
            sa.update(HistoryRevision)
            .where(HistoryRevision.id == HistoryRevision.ROW_ID)
            .values(revision=HistoryRevision.revision + 1, revised_at=now)
            .execution_options(synchronize_session=False)
        ),
    )
    if history.rowcount == 0:  # the migration creates the row; a database emptied by hand lost it
        db.session.add(HistoryRevision(id=HistoryRevision.ROW_ID, revision=2, revised_at=now))


@dataclass(frozen=True)
class Actor:
    """Who makes a change: an account, or an entry link."""

    user_id: int | None = None
    link_id: int | None = None


def record(
    actor: Actor,
    action: Action,
    key: object,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    *,
    edition_id: int | None = None,
    discipline_id: int | None = None,
) -> None:
    """Add ``action`` to the audit trail and, in the same transaction, bump the public revisions.

    A change tied to an edition bumps that edition; one that is not (a school, sport or discipline,
    shown on every edition's pages) bumps every edition. Both bump the history revision.
    """
    if action.entity not in PRIVATE_ENTITIES:
        bump_revisions(edition_id)
    db.session.add(
        AuditEntry(
            user_id=actor.user_id,
            link_id=actor.link_id,
            action=action.value,
            entity=action.entity,
            entity_key=str(key),
            before=before,
            after=after,
            edition_id=edition_id,
            discipline_id=discipline_id,
        )
    )
