"""Synthetic history for scale tests and benchmarks: clearly fake schools ("Synthetic School 7")."""

from __future__ import annotations

import random
from decimal import Decimal

import sqlalchemy as sa

from cartel.extensions import db
from cartel.models import (
    Category,
    Discipline,
    Edition,
    EditionStatus,
    Participation,
    Placement,
    PlacementMember,
    PointsScheme,
    ProgrammeEntry,
    ResultState,
    School,
    Sport,
)
from cartel.write.audit import bump_revisions


def add_synthetic_history(
    editions: int, disciplines: int = 25, schools: int = 12, seed: int = 1, first_year: int = 1900
) -> None:
    """Finished editions with full results: every school placed in every discipline."""
    rnd = random.Random(seed)
    school_rows = [
        _get_or_make(School, f"synthetic-{i}", name=f"Synthetic School {i}", short_name=f"S{i}", country="FR")
        for i in range(schools)
    ]
    discipline_rows = []
    for i in range(disciplines):
        sport = _get_or_make(Sport, f"synthetic-sport-{i}", name_fr=f"Sport {i}", name_en=f"Sport {i}")
        discipline_rows.append(_get_or_make(Discipline, f"synthetic-d{i}", sport=sport, category=Category.OPEN))
    db.session.flush()
    for n in range(editions):
        edition = Edition(
            year=first_year + n,
            number=first_year + n - 1899,
            status=EditionStatus.FINISHED,
            host=rnd.choice(school_rows),
        )
        edition.participations = [Participation(school=s) for s in school_rows]
        edition.programme = [
            ProgrammeEntry(
                discipline=d, weight=Decimal(rnd.choice([1, 1, 2])), result_state=ResultState.FINAL, version=1
            )
            for d in discipline_rows
        ]
        edition.scheme = PointsScheme(place_points=[12, 9, 7, 5, 4, 3, 2, 1], tie_rule="split", tie_breaks=[1, 2, 3])
        db.session.add(edition)
        db.session.flush()
        for d in discipline_rows:
            order = rnd.sample(school_rows, len(school_rows))
            place = 1
            for i, school in enumerate(order):
                if i and rnd.random() < 0.1:
                    pass  # tie with the previous team: keep its place
                else:
                    place = i + 1
                placement = Placement(edition_id=edition.id, discipline_id=d.id, place=place)
                placement.members = [PlacementMember(edition_id=edition.id, discipline_id=d.id, school_id=school.id)]
                db.session.add(placement)
    bump_revisions(None)
    db.session.commit()


def _get_or_make(model, slug: str, **values):
    row = db.session.scalar(sa.select(model).filter_by(slug=slug))
    if row is None:
        row = model(slug=slug, **values)
        db.session.add(row)
    return row


def count_rows(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))
