"""An edition's life: planned, live, finished (its ranking frozen) or cancelled, each step audited."""

from __future__ import annotations

import sqlalchemy as sa

from cartel.core.audit import Action
from cartel.extensions import db
from cartel.models import Edition, EditionStatus, OfficialStanding
from cartel.read.standings import build_standing, load_editions
from cartel.write.audit import Actor, record
from cartel.write.results import to_decimal


class TransitionRefused(Exception):
    """A lifecycle step that cannot be taken; ``code`` says why (not_a_step, no_scheme, published,
    incomplete with the ``missing`` parts, another_live with the live edition's year in ``detail``)."""

    def __init__(self, code: str, detail: str = "", missing: tuple[str, ...] = ()) -> None:
        super().__init__(f"{code}: {detail or ', '.join(missing)}" if detail or missing else code)
        self.code, self.detail, self.missing = code, detail, missing


def missing_to_open(edition: Edition) -> tuple[str, ...]:
    """What an edition lacks before it can be opened: participants, programme, scheme (in that order)."""
    missing = []
    if not edition.participations:
        missing.append("participants")
    if not edition.programme:
        missing.append("programme")
    if edition.scheme is None:
        missing.append("scheme")
    return tuple(missing)


def live_edition_other_than(edition: Edition) -> Edition | None:
    """The edition the public follows now, if it is not this one: one live edition at a time."""
    return db.session.scalar(
        sa.select(Edition).where(Edition.status == EditionStatus.LIVE, Edition.id != edition.id).limit(1)
    )


TRANSITIONS: dict[tuple[EditionStatus, EditionStatus], Action] = {
    (EditionStatus.PLANNED, EditionStatus.LIVE): Action.EDITION_OPEN,
    (EditionStatus.LIVE, EditionStatus.FINISHED): Action.EDITION_CLOSE,
    (EditionStatus.FINISHED, EditionStatus.LIVE): Action.EDITION_REOPEN,
    (EditionStatus.PLANNED, EditionStatus.CANCELLED): Action.EDITION_CANCEL,
}


def change_status(edition: Edition, target: EditionStatus, actor: Actor) -> None:
    """planned -> live -> finished (closing freezes the ranking); finished -> live reopens it."""
    action = TRANSITIONS.get((edition.status, target))
    if action is None:
        raise TransitionRefused("not_a_step", f"{edition.status.value} -> {target.value}")
    before: dict[str, object] = {"status": edition.status.value}
    after: dict[str, object] = {"status": target.value}
    if action in (Action.EDITION_OPEN, Action.EDITION_REOPEN):
        if missing := missing_to_open(edition):
            raise TransitionRefused("incomplete", missing=missing)
        if (other := live_edition_other_than(edition)) is not None:
            raise TransitionRefused("another_live", str(other.year))
    if action == Action.EDITION_CLOSE:
        if edition.scheme is None:
            raise TransitionRefused("no_scheme")
        editions, schools = load_editions(Edition.id == edition.id)
        standing = build_standing(editions[0], schools)
        if standing.kind == "official":
            raise TransitionRefused("published")
        for row in standing.rows:
            db.session.add(
                OfficialStanding(
                    edition_id=edition.id,
                    school_id=row.school.id,
                    rank=row.rank,
                    points=to_decimal(row.points),
                    source=OfficialStanding.FROZEN,
                )
            )
        after["frozen"] = [[r.rank, r.school.slug, None if r.points is None else str(r.points)] for r in standing.rows]
    if action == Action.EDITION_REOPEN:
        frozen = list(
            db.session.scalars(
                sa.select(OfficialStanding).filter_by(edition_id=edition.id, source=OfficialStanding.FROZEN)
            )
        )
        before["frozen"] = [[r.rank, r.school.slug, None if r.points is None else str(r.points)] for r in frozen]
        for official in frozen:
            db.session.delete(official)
    edition.status = target
    if target is not EditionStatus.PLANNED and not edition.public:  # the public follows a live edition
        before["public"], after["public"] = False, True
        edition.public = True
    record(actor, action, edition.year, before, after, edition_id=edition.id)
