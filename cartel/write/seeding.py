"""Load the seed CSV files (see seeds/README.md) in one transaction, idempotently.

Every row is checked; any problem is reported as ``file:line: reason`` and nothing is saved.
Rows are matched on natural keys (slug, year, ...), so loading twice changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import enum
from collections import defaultdict
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Literal, TypeVar, overload

import sqlalchemy as sa

from cartel.core import scoring
from cartel.extensions import db
from cartel.models import (
    Category,
    Discipline,
    Edition,
    EditionStatus,
    OfficialStanding,
    Participation,
    Placement,
    PlacementMember,
    PointAdjustment,
    PriorTitleCount,
    ProgrammeEntry,
    ResultState,
    School,
    Sport,
)
from cartel.write.audit import bump_revisions

# file name -> required columns, in load order; files other than the first three are optional
FILES = {
    "schools.csv": ("slug", "name", "short_name", "city", "country", "colours"),
    "sports.csv": ("slug", "name_fr", "name_en"),
    "disciplines.csv": ("slug", "sport", "category"),
    "editions.csv": ("year", "number", "host", "start_date", "end_date", "status", "delegations"),
    "participants.csv": ("year", "school", "delegation_size"),
    "programme.csv": ("year", "discipline", "weight", "result_state"),
    "placements.csv": ("year", "discipline", "place", "team"),
    "standings.csv": ("year", "school", "rank", "points"),
    "prior_titles.csv": ("school", "before_year", "count", "source"),
    "adjustments.csv": ("year", "school", "points", "reason"),
}
REQUIRED = ("schools.csv", "sports.csv", "disciplines.csv")
# columns whose values may appear only once in a file
UNIQUE = {
    "schools.csv": (("slug",), ("name",)),
    "sports.csv": (("slug",),),
    "disciplines.csv": (("slug",), ("sport", "category")),
    "editions.csv": (("year",), ("number",)),
    "participants.csv": (("year", "school"),),
    "programme.csv": (("year", "discipline"),),
    "standings.csv": (("year", "school"),),
    "prior_titles.csv": (("school",),),
}


class SeedError(Exception):
    """One or more bad rows; ``problems`` lists them as 'file:line: reason'."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class RowError(ValueError):
    pass


@overload
def _int(value: str, what: str, *, optional: Literal[False] = False, minimum: int | None = None) -> int: ...
@overload
def _int(value: str, what: str, *, optional: bool, minimum: int | None = None) -> int | None: ...
def _int(value: str, what: str, *, optional: bool = False, minimum: int | None = None) -> int | None:
    if value == "" and optional:
        return None
    try:
        number = int(value)
    except ValueError:
        raise RowError(f"{what} must be a whole number, not {value!r}") from None
    if minimum is not None and number < minimum:
        raise RowError(f"{what} must be at least {minimum}, not {number}")
    return number


@overload
def _decimal(value: str, what: str, *, optional: Literal[False] = False) -> Decimal: ...
@overload
def _decimal(value: str, what: str, *, optional: bool) -> Decimal | None: ...
def _decimal(value: str, what: str, *, optional: bool = False) -> Decimal | None:
    if value == "" and optional:
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        raise RowError(f"{what} must be a number, not {value!r}") from None


def _date(value: str, what: str) -> dt.date | None:
    if value == "":
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise RowError(f"{what} must be a date as YYYY-MM-DD, not {value!r}") from None


E = TypeVar("E", bound=enum.Enum)


def _choice(value: str, enum_cls: type[E], what: str) -> E:
    try:
        return enum_cls(value)
    except ValueError:
        allowed = ", ".join(m.value for m in enum_cls)
        raise RowError(f"{what} must be one of {allowed}, not {value!r}") from None


def _required(value: str, what: str) -> str:
    if not value:
        raise RowError(f"{what} is required")
    return value


class Loader:
    def __init__(self) -> None:
        self.problems: list[str] = []
        self.schools = {s.slug: s for s in db.session.scalars(sa.select(School))}
        self.sports = {s.slug: s for s in db.session.scalars(sa.select(Sport))}
        self.disciplines = {d.slug: d for d in db.session.scalars(sa.select(Discipline))}
        self.editions = {e.year: e for e in db.session.scalars(sa.select(Edition))}
        self.placements: dict[tuple[int, str], list[tuple[str, int, int, tuple[School, ...], str]]] = defaultdict(list)

    def rows(self, path: Path) -> Iterator[tuple[int, dict]]:
        with path.open(newline="", encoding="utf-8-sig") as handle:  # with or without a BOM, as Excel writes
            first = handle.readline()
            handle.seek(0)
            # comma, or semicolon as a French Excel writes it
            reader = csv.DictReader(handle, delimiter=";" if first.count(";") > first.count(",") else ",")
            missing = [c for c in FILES[path.name] if c not in (reader.fieldnames or [])]
            if missing:
                self.problems.append(f"{path.name}:1: missing column(s) {', '.join(missing)}")
                return
            first_seen: dict[tuple, int] = {}
            for row in reader:
                if None in row or any(v is None for v in row.values()):
                    self.problems.append(f"{path.name}:{reader.line_num}: wrong number of fields")
                    continue
                row = {k: (v or "").strip() for k, v in row.items()}
                duplicate = False
                for columns in UNIQUE.get(path.name, ()):
                    key = (columns, *(row[c] for c in columns))
                    if all(row[c] for c in columns) and key in first_seen:
                        self.problems.append(
                            f"{path.name}:{reader.line_num}: duplicate "
                            f"{'/'.join(columns)} {'/'.join(key[1:])!r} (first at line {first_seen[key]})"
                        )
                        duplicate = True
                    first_seen.setdefault(key, reader.line_num)
                if not duplicate:
                    yield reader.line_num, row

    def school(self, slug: str) -> School:
        if slug not in self.schools:
            raise RowError(f"unknown school {slug!r}")
        return self.schools[slug]

    def edition(self, value: str) -> Edition:
        year = _int(value, "year")
        if year not in self.editions:
            raise RowError(f"unknown edition {year} (not in editions.csv)")
        return self.editions[year]

    def discipline(self, slug: str) -> Discipline:
        if slug not in self.disciplines:
            raise RowError(f"unknown discipline {slug!r}")
        return self.disciplines[slug]

    # --- one method per file -------------------------------------------------------------

    def load_schools(self, row: dict) -> None:
        slug = _required(row["slug"], "slug")
        school = self.schools.get(slug) or School(slug=slug)
        school.name = _required(row["name"], "name")
        school.short_name = _required(row["short_name"], "short_name")
        school.city = row["city"] or None
        school.country = _required(row["country"], "country").upper()
        if len(school.country) != 2:
            raise RowError(f"country must be a two-letter code, not {row['country']!r}")
        school.colours = row["colours"] or None
        self.schools[slug] = school
        db.session.add(school)

    def load_sports(self, row: dict) -> None:
        slug = _required(row["slug"], "slug")
        sport = self.sports.get(slug) or Sport(slug=slug)
        sport.name_fr = _required(row["name_fr"], "name_fr")
        sport.name_en = _required(row["name_en"], "name_en")
        self.sports[slug] = sport
        db.session.add(sport)

    def load_disciplines(self, row: dict) -> None:
        slug = _required(row["slug"], "slug")
        if row["sport"] not in self.sports:
            raise RowError(f"unknown sport {row['sport']!r}")
        discipline = self.disciplines.get(slug) or Discipline(slug=slug)
        discipline.sport = self.sports[row["sport"]]
        discipline.category = _choice(row["category"], Category, "category")
        self.disciplines[slug] = discipline
        db.session.add(discipline)

    def load_editions(self, row: dict) -> None:
        year = _int(row["year"], "year", minimum=1950)
        edition = self.editions.get(year) or Edition(year=year)
        edition.number = _int(row["number"], "number", optional=True, minimum=1)
        edition.host = self.school(row["host"]) if row["host"] else None
        edition.start_date = _date(row["start_date"], "start_date")
        edition.end_date = _date(row["end_date"], "end_date")
        if edition.start_date and edition.end_date and edition.end_date < edition.start_date:
            raise RowError("end_date is before start_date")
        edition.status = _choice(row["status"], EditionStatus, "status")
        if edition.status is EditionStatus.CANCELLED and edition.number is not None:
            raise RowError("a cancelled edition has no number")
        edition.delegation_count = _int(row["delegations"], "delegations", optional=True, minimum=1)
        edition.source = row.get("source") or None
        self.editions[year] = edition
        db.session.add(edition)

    def load_participants(self, row: dict) -> None:
        edition, school = self.edition(row["year"]), self.school(row["school"])
        size = _int(row["delegation_size"], "delegation_size", optional=True, minimum=1)
        existing = next((p for p in edition.participations if p.school is school), None)
        participation = existing or Participation(edition=edition, school=school)
        participation.delegation_size = size
        db.session.add(participation)

    def load_programme(self, row: dict) -> None:
        edition, discipline = self.edition(row["year"]), self.discipline(row["discipline"])
        weight = _decimal(row["weight"] or "1", "weight")
        if weight <= 0:
            raise RowError("weight must be positive")
        state = _choice(row["result_state"] or "pending", ResultState, "result_state")
        entry = next((e for e in edition.programme if e.discipline is discipline), None)
        if entry is None:
            entry = ProgrammeEntry(edition=edition, discipline=discipline, version=0)
        entry.weight, entry.result_state = weight, state
        db.session.add(entry)

    def load_placements(self, row: dict, where: str) -> None:
        edition, discipline = self.edition(row["year"]), self.discipline(row["discipline"])
        place = _int(row["place"], "place", minimum=1)
        slugs = [s.strip() for s in _required(row["team"], "team").split("+")]
        team = tuple(self.school(s) for s in slugs)
        if len(set(slugs)) != len(slugs):
            raise RowError("a school appears twice in the team")
        self.placements[(edition.year, discipline.slug)].append((where, place, len(team), team, row.get("source", "")))

    def load_standings(self, row: dict) -> None:
        edition, school = self.edition(row["year"]), self.school(row["school"])
        rank = _int(row["rank"], "rank", optional=True, minimum=1)
        points = _decimal(row["points"], "points", optional=True)
        if rank is None and points is None:
            raise RowError("a standing gives a rank, points or both")
        standing = db.session.scalar(sa.select(OfficialStanding).filter_by(edition_id=edition.id, school_id=school.id))
        if standing is None:
            standing = OfficialStanding(edition_id=edition.id, school_id=school.id)
            db.session.add(standing)
        standing.rank, standing.points, standing.source = rank, points, row.get("source") or None

    def load_prior_titles(self, row: dict) -> None:
        school = self.school(row["school"])
        prior = db.session.scalar(sa.select(PriorTitleCount).filter_by(school_id=school.id))
        if prior is None:
            prior = PriorTitleCount(school_id=school.id)
            db.session.add(prior)
        prior.before_year = _int(row["before_year"], "before_year", minimum=1950)
        prior.count = _int(row["count"], "count", minimum=0)
        prior.source = _required(row["source"], "source")

    def load_adjustments(self, row: dict) -> None:
        edition, school = self.edition(row["year"]), self.school(row["school"])
        points = _decimal(_required(row["points"], "points"), "points")
        reason = _required(row["reason"], "reason")
        exists = db.session.scalar(
            sa.select(PointAdjustment.id).filter_by(
                edition_id=edition.id, school_id=school.id, points=points, reason=reason
            )
        )
        if not exists:
            db.session.add(PointAdjustment(edition_id=edition.id, school_id=school.id, points=points, reason=reason))

    def store_placements(self) -> None:
        """Check each discipline's places as a whole, then replace what differs."""
        for (year, slug), items in self.placements.items():
            edition, discipline = self.editions[year], self.disciplines[slug]
            seen: dict[int, str] = {}
            for where, _, _, team, _ in items:
                for school in team:
                    if school.id in seen:
                        self.problems.append(
                            f"{where}: {school.slug} is already placed in {slug} {year} (at {seen[school.id]})"
                        )
                    seen[school.id] = where
            problems = scoring.check_places(
                [scoring.Finish(slug, place, tuple(s.slug for s in team)) for _, place, _, team, _ in items]
            )
            for problem in problems:
                if "placed twice" not in problem:
                    self.problems.append(f"{items[0][0].split(':')[0]}: {slug} {year}: {problem}")
            if not any(e.discipline is discipline for e in edition.programme):
                self.problems.append(f"{items[0][0]}: {slug} is not in the programme of {year} (programme.csv)")
            if self.problems:
                continue
            wanted = sorted((place, tuple(sorted(s.id for s in team))) for _, place, _, team, _ in items)
            current = db.session.scalars(
                sa.select(Placement).filter_by(edition_id=edition.id, discipline_id=discipline.id)
            ).all()
            have = sorted((p.place, tuple(sorted(m.school_id for m in p.members))) for p in current)
            if have == wanted:
                continue
            for p in current:
                db.session.delete(p)
            db.session.flush()
            for _, place, _, team, source in items:
                placement = Placement(
                    edition_id=edition.id, discipline_id=discipline.id, place=place, source=source or None
                )
                placement.members = [
                    PlacementMember(edition_id=edition.id, discipline_id=discipline.id, school_id=s.id) for s in team
                ]
                db.session.add(placement)


def load_seeds(directory: Path) -> None:
    """Load every seed file of ``directory`` in the caller's unit of work; raise SeedError (and the unit
    of work saves nothing) if any row is bad."""
    directory = Path(directory)
    loader = Loader()
    missing = [name for name in REQUIRED if not (directory / name).is_file()]
    if missing:
        raise SeedError([f"{directory / name}: file not found" for name in missing])
    try:
        for name in FILES:
            path = directory / name
            if not path.is_file():
                continue
            method: Callable = getattr(loader, "load_" + name.removesuffix(".csv"))
            for line, row in loader.rows(path):
                try:
                    if name == "placements.csv":
                        method(row, f"{name}:{line}")
                    else:
                        method(row)
                except RowError as error:
                    loader.problems.append(f"{name}:{line}: {error}")
            if loader.problems:
                break  # later files refer to this one: report its problems first
            db.session.flush()
        if not loader.problems:
            loader.store_placements()
        if loader.problems:
            raise SeedError(loader.problems)
        db.session.flush()
        bump_revisions(None)  # everything the public sees may have changed
    except sa.exc.IntegrityError as error:
        raise SeedError([f"{directory}: conflicting rows ({error.orig})"]) from None
