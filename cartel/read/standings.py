"""The read side: load editions in a fixed number of queries and hand them to the pure engines.

Every public page goes through ``load_editions``, which issues one query per table whatever the
number of editions, so a page's query count does not grow with the history.
"""

from __future__ import annotations

import dataclasses
import functools
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import overload

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from cartel.core import records, scoring
from cartel.core.collation import folded
from cartel.extensions import db
from cartel.models import (
    Discipline,
    Edition,
    EditionStatus,
    OfficialStanding,
    Participation,
    Placement,
    PlacementMember,
    PointAdjustment,
    PointsScheme,
    PriorTitleCount,
    ProgrammeEntry,
    ResultState,
    School,
)
from cartel.models.sport import SportKind


@overload
def to_fraction(value: None) -> None: ...
@overload
def to_fraction(value: Decimal | int | str) -> Fraction: ...
@overload
def to_fraction(value: Decimal | int | str | None) -> Fraction | None: ...
def to_fraction(value: Decimal | int | str | None) -> Fraction | None:
    return None if value is None else Fraction(str(value))


def by_name(school: School) -> tuple[str, str]:
    """Sort key of schools that share a rank: their name, accents and case aside ("École des Ponts"
    before "EMINES"), then the name as written."""
    return folded(school.name)


@overload
def scheme_of(row: None) -> None: ...
@overload
def scheme_of(row: PointsScheme) -> scoring.ScoringScheme[int]: ...
@overload
def scheme_of(row: PointsScheme | None) -> scoring.ScoringScheme[int] | None: ...
def scheme_of(row: PointsScheme | None) -> scoring.ScoringScheme[int] | None:
    if row is None:
        return None
    return scoring.ScoringScheme(
        place_points=tuple(Fraction(str(p)) for p in row.place_points),
        tie_rule=scoring.TieRule(row.tie_rule),
        tie_breaks=tuple(row.tie_breaks),
    )


def table_of(entry: ProgrammeEntry) -> scoring.PointsTable | None:
    """A programme discipline's own points table, None when it earns the edition's times its weight."""
    if entry.place_points is None:
        return None
    return scoring.PointsTable(tuple(Fraction(str(p)) for p in entry.place_points), entry.beyond_last)


@overload
def with_tables(scheme: None, programme: Iterable[ProgrammeEntry]) -> None: ...
@overload
def with_tables(
    scheme: scoring.ScoringScheme[int], programme: Iterable[ProgrammeEntry]
) -> scoring.ScoringScheme[int]: ...
@overload
def with_tables(
    scheme: scoring.ScoringScheme[int] | None, programme: Iterable[ProgrammeEntry]
) -> scoring.ScoringScheme[int] | None: ...
def with_tables(
    scheme: scoring.ScoringScheme[int] | None, programme: Iterable[ProgrammeEntry]
) -> scoring.ScoringScheme[int] | None:
    """The edition's scheme with the programme's own points tables (by discipline id): every caller of
    the engine (ranking, race, points per discipline) then counts the same points."""
    if scheme is None:
        return None
    tables = {e.discipline_id: table for e in programme if (table := table_of(e)) is not None}
    return dataclasses.replace(scheme, tables=tables)


@dataclass
class EditionData:
    """Everything stored about one edition, loaded in bulk."""

    edition: Edition
    scheme: scoring.ScoringScheme[int] | None = None  # tables by discipline id
    programme: list[ProgrammeEntry] = field(default_factory=list)
    placements: list[scoring.Finish[int, int]] = field(default_factory=list)  # by discipline and school id
    adjustments: list[PointAdjustment] = field(default_factory=list)
    official: list[OfficialStanding] = field(default_factory=list)
    participants: list[Participation] = field(default_factory=list)


@dataclass(frozen=True)
class StandingRow:
    rank: int | None
    school: School
    points: Fraction | None
    medals: tuple[int, int, int] | None  # None: no placement of the edition is known
    adjustment_points: Fraction = Fraction(0)


@dataclass(frozen=True)
class Podium:
    entry: ProgrammeEntry
    places: tuple[tuple[int, tuple[School, ...]], ...]  # (place, team), best first
    # what each team of ``places`` earned, where the discipline has its own points table; () otherwise
    points: tuple[Fraction, ...] = ()

    @property
    def own_table(self) -> bool:
        return self.entry.place_points is not None

    @property
    def contest(self) -> bool:
        """A contest that is not a sport (DJ contest): counted in the ranking, shown apart."""
        return self.entry.discipline.sport.kind is SportKind.CONTEST


@dataclass(frozen=True)
class EditionStanding:
    """The general ranking of an edition as the public sees it.

    ``kind`` is "official" (as published or frozen at closing), "computed" (from placements with
    the edition's scheme) or "none" (nothing known, or no scheme to compute with).
    """

    data: EditionData
    kind: str
    rows: tuple[StandingRow, ...]
    partial: bool
    provisional: bool
    final_disciplines: int
    total_disciplines: int

    @property
    def edition(self) -> Edition:
        return self.data.edition

    @property
    def before_first_result(self) -> bool:
        """A ranking computed before anything counts (no placement, no penalty or bonus): every school
        would share the 1st rank with 0 points, which says nothing; pages say so in a sentence."""
        return self.kind == "computed" and not self.data.placements and not self.data.adjustments

    @property
    def winners(self) -> tuple[School, ...]:
        return tuple(r.school for r in self.rows if r.rank == 1)

    @functools.cached_property
    def history_entry(self) -> records.EditionHistory[int]:
        """What the records engine needs of this edition, made once per standing (a standing is
        computed once per edition revision, so the records of a long history convert only the
        edition that changed)."""
        return edition_history(self)


def load_editions(
    where: sa.ColumnElement[bool] | None = None, session: Session | None = None
) -> tuple[list[EditionData], dict[int, School]]:
    """Editions matching ``where`` (all by default), oldest first, with every school by id.

    Everything a page reads is loaded here, so the objects stay usable once ``session`` is closed.
    """
    db_session = session or db.session
    query = sa.select(Edition).options(joinedload(Edition.scheme)).order_by(Edition.year)
    if where is not None:
        query = query.where(where)
    return load_details(list(db_session.scalars(query)), session)


def load_details(
    editions: list[Edition], session: Session | None = None
) -> tuple[list[EditionData], dict[int, School]]:
    """Everything stored about ``editions`` (loaded with their scheme, oldest first), with every school
    by id: one query per table, whatever the number of editions."""
    db_session = session or db.session
    schools = {s.id: s for s in db_session.scalars(sa.select(School))}
    by_id = {e.id: EditionData(e) for e in editions}
    if not by_id:
        return [], schools
    ids = list(by_id)
    for data in by_id.values():
        data.scheme = scheme_of(data.edition.scheme)  # loaded with the edition (joined)
    programme = db_session.scalars(
        sa.select(ProgrammeEntry)
        .where(ProgrammeEntry.edition_id.in_(ids))
        .options(joinedload(ProgrammeEntry.discipline).joinedload(Discipline.sport))
    )
    for entry in programme:
        by_id[entry.edition_id].programme.append(entry)
    teams: dict[tuple[int, int, int, int], list[int]] = defaultdict(list)
    members = db_session.execute(
        sa.select(
            Placement.edition_id, Placement.discipline_id, Placement.place, Placement.id, PlacementMember.school_id
        )
        .join(PlacementMember, PlacementMember.placement_id == Placement.id)
        .where(Placement.edition_id.in_(ids))
        .order_by(Placement.id, PlacementMember.id)
    )
    for edition_id, discipline_id, place, placement_id, school_id in members:
        teams[(edition_id, discipline_id, place, placement_id)].append(school_id)
    for (edition_id, discipline_id, place, _), team in teams.items():
        by_id[edition_id].placements.append(scoring.Finish(discipline_id, place, tuple(team)))
    for adj in db_session.scalars(
        sa.select(PointAdjustment)
        .where(PointAdjustment.edition_id.in_(ids))
        .order_by(PointAdjustment.created_at, PointAdjustment.id)
    ):
        by_id[adj.edition_id].adjustments.append(adj)
    for row in db_session.scalars(sa.select(OfficialStanding).where(OfficialStanding.edition_id.in_(ids))):
        by_id[row.edition_id].official.append(row)
    for participation in db_session.scalars(sa.select(Participation).where(Participation.edition_id.in_(ids))):
        by_id[participation.edition_id].participants.append(participation)
    for data in by_id.values():
        data.programme.sort(key=lambda e: e.discipline.programme_key())
        data.scheme = with_tables(data.scheme, data.programme)
    return list(by_id.values()), schools


def podiums(data: EditionData, schools: dict[int, School]) -> tuple[Podium, ...]:
    """Each programme discipline with its placed teams, best place first, and what each team earned
    where the discipline has its own points table (and the edition a scheme, for its tie rule)."""
    by_discipline: dict[int, list[scoring.Finish[int, int]]] = defaultdict(list)
    for p in data.placements:
        by_discipline[p.discipline].append(p)
    scheme = with_tables(data.scheme, data.programme)
    podiums = []
    for entry in data.programme:
        items = sorted(by_discipline.get(entry.discipline_id, []), key=lambda p: p.place)
        points: tuple[Fraction, ...] = ()
        if scheme is not None and entry.discipline_id in scheme.tables:
            earned = scoring.discipline_points(items, scheme)
            points = tuple(sum((earned.get(s, Fraction(0)) for s in p.schools), Fraction(0)) for p in items)
        podiums.append(Podium(entry, tuple((p.place, tuple(schools[s] for s in p.schools)) for p in items), points))
    return tuple(podiums)


def build_standing(data: EditionData, schools: dict[int, School]) -> EditionStanding:
    """The ranking shown for an edition: official when published, else computed, else none.

    Computed with ``data.scheme`` and the programme's own points tables (a scheme being previewed
    has none of its own). Schools that share a rank are listed by name (``by_name``), not by id.
    """
    edition = data.edition
    medals = scoring.medal_counts(data.placements)
    weights = {e.discipline_id: to_fraction(e.weight) for e in data.programme}
    finals = {e.discipline_id for e in data.programme if e.result_state is ResultState.FINAL}
    participants = {p.school_id for p in data.participants}
    expected = max(len(participants), edition.delegation_count or 0)
    if data.official:
        # the points as published or frozen include the edition's penalties and bonuses: shown beside them
        adjusted: dict[int, Fraction] = {}
        for a in data.adjustments:
            adjusted[a.school_id] = adjusted.get(a.school_id, Fraction(0)) + to_fraction(a.points)
        rows = tuple(
            sorted(
                (
                    StandingRow(
                        o.rank,
                        schools[o.school_id],
                        to_fraction(o.points),
                        medals.get(o.school_id, (0, 0, 0)) if data.placements else None,
                        adjusted.get(o.school_id, Fraction(0)),
                    )
                    for o in data.official
                ),
                key=lambda r: (r.rank is None, r.rank or 0, by_name(r.school)),
            )
        )
        partial = len(rows) < expected or any(r.rank is None or r.points is None for r in rows)
        return EditionStanding(data, "official", rows, partial, False, len(finals), len(weights))
    if data.scheme is not None and weights and edition.status is not EditionStatus.CANCELLED:
        ranking = scoring.rank_schools(
            participants,
            data.placements,
            with_tables(data.scheme, data.programme),
            weights,
            finals,
            [scoring.Adjustment(a.school_id, to_fraction(a.points), a.reason) for a in data.adjustments],
        )
        rows = tuple(
            sorted(
                (StandingRow(r.rank, schools[r.school], r.points, r.medals, r.adjustment_points) for r in ranking.rows),
                key=lambda r: (r.rank, by_name(r.school)),  # rank_schools lists a shared rank by id
            )
        )
        return EditionStanding(
            data, "computed", rows, False, ranking.provisional, ranking.final_disciplines, ranking.total_disciplines
        )
    return EditionStanding(data, "none", (), True, False, len(finals), len(weights))


def discipline_points(standing: EditionStanding) -> dict[int, dict[int, Fraction]] | None:
    """Points each school earned in each programme discipline (by discipline id, then school id), or None
    when they are not known.

    Computed from the placements with the edition's scheme and programme, as the ranking is. An official
    ranking (frozen at closing, or as the sources published it) keeps totals only: its parts are given
    only when they add up, with the penalties and bonuses, to every official total (to the two decimals
    stored) and no placed school is missing from it. So a closed edition shows the points its frozen
    ranking was made of, while an edition whose placements or scheme do not give its published totals (a
    historical one known by its podiums, a total missing) has none invented.
    """
    data = standing.data
    if standing.kind == "none" or data.scheme is None:
        return None
    by_discipline: dict[int, list[scoring.Finish[int, int]]] = defaultdict(list)
    for p in data.placements:
        by_discipline[p.discipline].append(p)
    earned = {
        entry.discipline_id: scoring.discipline_points(
            by_discipline.get(entry.discipline_id, []), data.scheme, to_fraction(entry.weight)
        )
        for entry in data.programme
    }
    if standing.kind == "computed":
        return earned
    totals: dict[int, Fraction] = defaultdict(Fraction)
    for by_school in earned.values():
        for school, value in by_school.items():
            totals[school] += value
    for a in data.adjustments:
        totals[a.school_id] += to_fraction(a.points)
    official = {o.school_id: to_fraction(o.points) for o in data.official}
    if not set(totals) <= set(official):
        return None
    for school, points in official.items():
        if points is None or abs(totals.get(school, Fraction(0)) - points) > Fraction(1, 200):
            return None
    return earned


def edition_history(standing: EditionStanding) -> records.EditionHistory[int]:
    """What the records engine needs of one edition; only finished editions count."""
    edition = standing.edition
    return records.EditionHistory(
        year=edition.year,
        number=edition.number,
        host=edition.host_id,
        cancelled=edition.status is EditionStatus.CANCELLED,
        counts=edition.status in (EditionStatus.FINISHED, EditionStatus.CANCELLED),
        live=edition.status is EditionStatus.LIVE,
        standing=tuple(records.StandingEntry(r.school.id, r.rank, r.points) for r in standing.rows),
        programme=frozenset(e.discipline_id for e in standing.data.programme),
        placings=tuple(
            records.Placing(p.discipline, school, p.place) for p in standing.data.placements for school in p.schools
        ),
    )


@dataclass(frozen=True)
class History:
    standings: tuple[EditionStanding, ...]  # oldest first
    schools: dict[int, School]
    prior: tuple[records.PriorTitles[int], ...]

    def records(self, as_of_year: int | None = None) -> records.Records[int]:
        return records.compute_records(
            [s.history_entry for s in self.standings],
            self.prior,
            as_of_year,
            order=lambda key: by_name(self.schools[key]),
        )


def load_history(
    build: Callable[[EditionData, dict[int, School]], EditionStanding] = build_standing,
    session: Session | None = None,
    known: Callable[[int, int], EditionStanding | None] | None = None,
) -> History:
    """Every edition with its standing (made by ``build``), and the prior title counts.

    ``known(edition id, revision)`` gives a standing already computed at that revision, or None: only
    the editions it does not know are loaded in full and ranked again, so a save in one edition costs
    the history that edition's programme and placements, not sixty editions'. The query count is the
    same either way.
    """
    db_session = session or db.session
    if known is None:
        editions, schools = load_editions(Edition.public.is_(True), session)
        standings = tuple(build(d, schools) for d in editions)
    else:
        every = list(
            db_session.scalars(
                sa.select(Edition)
                .where(Edition.public.is_(True))
                .options(joinedload(Edition.scheme))
                .order_by(Edition.year)
            )
        )
        reused = {e.id: found for e in every if (found := known(e.id, e.revision)) is not None}
        editions, schools = load_details([e for e in every if e.id not in reused], session)
        fresh = {d.edition.id: d for d in editions}
        standings = tuple(reused[e.id] if e.id in reused else build(fresh[e.id], schools) for e in every)
    prior = tuple(
        records.PriorTitles(p.school_id, p.before_year, p.count, p.source)
        for p in db_session.scalars(sa.select(PriorTitleCount))
    )
    return History(standings, schools, prior)


def current_edition(session: Session | None = None) -> tuple[int, int] | None:
    """(id, revision) of the live edition, else of the latest edition that took place."""
    row = (
        (session or db.session)
        .execute(
            sa.select(Edition.id, Edition.revision)
            .where(Edition.status.in_([EditionStatus.LIVE, EditionStatus.FINISHED]))
            .order_by((Edition.status == EditionStatus.LIVE).desc(), Edition.year.desc())
            .limit(1)
        )
        .first()
    )
    return None if row is None else (row[0], row[1])
