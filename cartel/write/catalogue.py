"""Changes to schools, sports, disciplines and editions (participants, programme, scheme), audited."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction

import sqlalchemy as sa

from cartel.core import scoring
from cartel.core.audit import Action
from cartel.extensions import db
from cartel.models import (
    Category,
    Discipline,
    Edition,
    EditionStatus,
    Participation,
    PlacementMember,
    PointsScheme,
    ProgrammeEntry,
    School,
    Sport,
)
from cartel.models.sport import SportKind
from cartel.write.audit import Actor, record


class CatalogueError(ValueError):
    """A change that would leave results without their school or discipline (``blocked``: which ones)."""

    def __init__(self, blocked: list) -> None:
        super().__init__(", ".join(getattr(b, "slug", str(b)) for b in blocked))
        self.blocked = blocked


def _snapshot(obj, fields: tuple[str, ...]) -> dict:
    values = {}
    for name in fields:
        value = getattr(obj, name)
        values[name] = (
            value.value if hasattr(value, "value") else (value.isoformat() if hasattr(value, "isoformat") else value)
        )
    return values


SCHOOL_FIELDS = ("slug", "name", "short_name", "city", "country", "colours")
EDITION_FIELDS = ("year", "number", "start_date", "end_date", "delegation_count", "source")


def save_school(school: School | None, values: dict, actor: Actor) -> School:
    before = None if school is None else _snapshot(school, SCHOOL_FIELDS)
    school = school or School()
    for name in SCHOOL_FIELDS:
        setattr(school, name, values.get(name) or (None if name in ("city", "colours") else values.get(name)))
    db.session.add(school)
    db.session.flush()
    record(
        actor,
        Action.SCHOOL_CREATE if before is None else Action.SCHOOL_UPDATE,
        school.slug,
        before,
        _snapshot(school, SCHOOL_FIELDS),
    )
    db.session.flush()
    return school


def add_sport(slug: str, name_fr: str, name_en: str, actor: Actor, kind: SportKind = SportKind.SPORT) -> Sport:
    sport = Sport(slug=slug, name_fr=name_fr, name_en=name_en, kind=kind)
    db.session.add(sport)
    db.session.flush()
    record(actor, Action.SPORT_CREATE, slug, None, {"name_fr": name_fr, "name_en": name_en, "kind": kind.value})
    db.session.flush()
    return sport


def add_discipline(sport: Sport, category: Category, actor: Actor) -> Discipline:
    slug = sport.slug if category is Category.OPEN else f"{sport.slug}-{category.value}"
    discipline = Discipline(slug=slug, sport=sport, category=category)
    db.session.add(discipline)
    db.session.flush()
    record(actor, Action.DISCIPLINE_CREATE, slug, None, {"sport": sport.slug, "category": category.value})
    db.session.flush()
    return discipline


def save_edition(edition: Edition | None, values: dict, host: School | None, actor: Actor) -> Edition:
    before = (
        None
        if edition is None
        else {**_snapshot(edition, EDITION_FIELDS), "host": edition.host.slug if edition.host else None}
    )
    edition = edition or Edition(status=EditionStatus.PLANNED, public=False)  # published by the administrator
    for name in EDITION_FIELDS:
        setattr(edition, name, values.get(name))
    edition.host = host
    db.session.add(edition)
    db.session.flush()
    record(
        actor,
        Action.EDITION_CREATE if before is None else Action.EDITION_UPDATE,
        edition.year,
        before,
        {**_snapshot(edition, EDITION_FIELDS), "host": host.slug if host else None},
        edition_id=edition.id,
    )
    db.session.flush()
    return edition


def set_participants(edition: Edition, sizes: dict[School, int | None], actor: Actor) -> None:
    """The participating schools (with delegation sizes); schools placed in a result cannot be removed."""
    before = {p.school.slug: p.delegation_size for p in edition.participations}
    current = {p.school_id: p for p in edition.participations}
    keep = {s.id for s in sizes}
    placed = set(db.session.scalars(sa.select(PlacementMember.school_id).filter_by(edition_id=edition.id)))
    blocked = sorted(
        (p.school for p in edition.participations if p.school_id not in keep and p.school_id in placed),
        key=lambda school: school.name,
    )
    if blocked:
        raise CatalogueError(blocked)
    for school, size in sizes.items():
        participation = current.pop(school.id, None) or Participation(edition=edition, school=school)
        participation.delegation_size = size
        db.session.add(participation)
    for participation in current.values():
        edition.participations.remove(participation)
        db.session.delete(participation)
    record(
        actor,
        Action.EDITION_PARTICIPANTS,
        edition.year,
        before,
        {s.slug: size for s, size in sizes.items()},
        edition_id=edition.id,
    )
    db.session.flush()


def _stored_points(points: tuple[Fraction, ...]) -> list:
    """Points as stored in JSON: whole numbers as such, others as decimal strings."""
    return [int(p) if p.denominator == 1 else str(float(p)) for p in points]


def _programme_snapshot(entry: ProgrammeEntry) -> str | dict:
    """An entry as the audit trail records it: its weight alone when it earns the edition's table
    (as before tables of their own existed), else its weight with its table and "beyond" rule."""
    if entry.place_points is None:
        return str(entry.weight)
    return {
        "weight": str(entry.weight),
        "place_points": list(entry.place_points),
        "beyond": "last" if entry.beyond_last else "zero",
    }


def set_programme(
    edition: Edition,
    weights: dict[Discipline, Decimal],
    actor: Actor,
    tables: Mapping[Discipline, scoring.PointsTable | None] | None = None,
) -> None:
    """The disciplines contested with their weights and their own points tables (a discipline left
    out of ``tables`` earns the edition's table times its weight; ``tables=None`` keeps the tables as
    they are); entries with a result are kept."""
    before = {e.discipline.slug: _programme_snapshot(e) for e in edition.programme}
    current = {e.discipline_id: e for e in edition.programme}
    keep = {d.id for d in weights}
    placed = set(db.session.scalars(sa.select(PlacementMember.discipline_id).filter_by(edition_id=edition.id)))
    blocked = sorted(
        (e.discipline for e in edition.programme if e.discipline_id not in keep and e.discipline_id in placed),
        key=lambda discipline: discipline.slug,
    )
    if blocked:
        raise CatalogueError(blocked)
    after = {}
    for discipline, weight in weights.items():
        entry = current.pop(discipline.id, None) or ProgrammeEntry(edition=edition, discipline=discipline, version=0)
        entry.weight = weight
        if tables is not None:
            table = tables.get(discipline)
            entry.place_points = None if table is None else _stored_points(table.place_points)
            entry.beyond_last = table is not None and table.beyond_last
        db.session.add(entry)
        after[discipline.slug] = _programme_snapshot(entry)
    for entry in current.values():
        edition.programme.remove(entry)
        db.session.delete(entry)
    record(actor, Action.EDITION_PROGRAMME, edition.year, before, after, edition_id=edition.id)
    db.session.flush()


def scheme_snapshot(row: PointsScheme | None) -> dict | None:
    if row is None:
        return None
    return {"place_points": list(row.place_points), "tie_rule": row.tie_rule, "tie_breaks": list(row.tie_breaks)}


def set_scheme(edition: Edition, scheme: scoring.ScoringScheme, actor: Actor) -> None:
    before = scheme_snapshot(edition.scheme)
    points = _stored_points(scheme.place_points)
    if edition.scheme is None:
        edition.scheme = PointsScheme(
            place_points=points, tie_rule=scheme.tie_rule.value, tie_breaks=list(scheme.tie_breaks)
        )
    else:
        edition.scheme.place_points = points
        edition.scheme.tie_rule = scheme.tie_rule.value
        edition.scheme.tie_breaks = list(scheme.tie_breaks)
    db.session.flush()
    record(actor, Action.EDITION_SCHEME, edition.year, before, scheme_snapshot(edition.scheme), edition_id=edition.id)
    db.session.flush()


def set_public(edition: Edition, public: bool, actor: Actor) -> None:
    """Show a planned edition in the public lists and pages, or take it out again (a live or past
    edition stays public)."""
    if edition.public == public or (not public and edition.status is not EditionStatus.PLANNED):
        return
    edition.public = public
    record(
        actor, Action.EDITION_UPDATE, edition.year, {"public": not public}, {"public": public}, edition_id=edition.id
    )
