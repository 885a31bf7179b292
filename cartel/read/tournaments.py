"""A discipline's tournament as stored, read into the engine: its format, its matches and where they stand."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from cartel.core.tournament.formats import Fixture, Format, team
from cartel.core.tournament.matches import Result
from cartel.core.tournament.progress import Resolution, resolve
from cartel.core.tournament.races import CONTEXT, FINAL, resolve_races
from cartel.core.tournament.rules import Decider, Rules, TeamId
from cartel.core.tournament.sheet import Sheet
from cartel.core.tournament.spec import Spec
from cartel.core.tournament.standings import Decisions, Undecided
from cartel.extensions import db
from cartel.models import Discipline, Edition, Match, MatchState, ProgrammeEntry, TieDecision, Tournament
from cartel.read.http_cache import cache

EPOCH = dt.datetime(2000, 1, 1)
JOINT = "+"  # a joint team's id: its schools' slugs joined


def members(team: TeamId) -> tuple[str, ...]:
    """The school slugs of a team id."""
    return tuple(team.split(JOINT))


def tournament_of(entry: ProgrammeEntry) -> Tournament | None:
    return db.session.scalar(sa.select(Tournament).where(Tournament.programme_entry_id == entry.id))


def has_tournament(entry_id: int) -> bool:
    return db.session.scalar(sa.select(Tournament.id).where(Tournament.programme_entry_id == entry_id)) is not None


def decisions_of(rows: Iterable[TieDecision]) -> dict[tuple[str, frozenset[TeamId]], list[TeamId]]:
    return {(d.context, frozenset(d.teams.split(" "))): [str(t) for t in d.order] for d in rows}


def decision_key(teams: Iterable[TeamId]) -> str:
    return " ".join(sorted(teams))


@dataclass(frozen=True)
class Standing:
    """A tournament read whole: ``fixtures`` and ``matches`` by code, the results that count (final
    ones), and the engine's resolution of them."""

    tournament: Tournament
    spec: Spec
    rules: Rules
    format: Format
    fixtures: Mapping[str, Fixture]
    matches: Mapping[str, Match]
    sheets: Mapping[str, Sheet]
    resolution: Resolution
    lanes: Mapping[str, tuple[TeamId, ...]] = field(default_factory=dict)  # heats and a final: each race's teams

    @property
    def races(self) -> bool:
        return self.spec.races

    def is_bracket(self, code: str) -> bool:
        """Whether a match must have a winner (a bracket's); races and pool matches need not."""
        fixture = self.fixtures.get(code)
        return fixture is not None and fixture.bracket and not self.races

    @property
    def all_final(self) -> bool:
        return all(m.state is MatchState.FINAL for m in self.matches.values())

    def ordered(self) -> list[Match]:
        """Matches in progress, then the next ones by time (those without a time in the format's order),
        then the final ones, latest first."""
        position = {code: k for k, code in enumerate(self.fixtures)}
        rank = {MatchState.IN_PROGRESS: 0, MatchState.SCHEDULED: 1, MatchState.FINAL: 3}

        def key(m: Match) -> tuple[int, float, int]:
            if m.state is MatchState.FINAL:
                return rank[m.state], -(m.updated_at or EPOCH).timestamp(), position.get(m.code, 0)
            unknown = self.lanes.get(m.code) == () if self.races else None in self.resolution.slots.get(m.code, ())
            when = m.starts_at.timestamp() if m.starts_at else float("inf")
            return rank[m.state] + unknown, when, position.get(m.code, 0)  # those still waiting on others last

        return sorted(self.matches.values(), key=key)


def read(
    tournament: Tournament,
    *,
    overrides: Mapping[str, tuple[MatchState, Sheet | None, tuple[TeamId | None, TeamId | None]]] | None = None,
    decisions: Decisions | None = None,
) -> Standing:
    """The tournament's standing from its stored matches; ``overrides`` replaces some matches' state,
    sheet and teams (a save being checked before it is written), ``decisions`` the stored decisions."""
    spec = Spec.from_data(tournament.spec)
    rules = Rules.from_data(tournament.rules)
    if spec.races:
        return _races(tournament, spec, rules, overrides, decisions)
    fmt = spec.build()
    fixtures = {f.code: f for f in fmt.fixtures()}
    matches = {m.code: m for m in tournament.matches}
    sheets: dict[str, Sheet] = {}
    results: dict[str, Result] = {}
    played_by: dict[str, tuple[TeamId, TeamId]] = {}
    for code, match in matches.items():
        state, data, teams = match.state, match.result, (match.home, match.away)
        sheet = None if data is None else Sheet.from_data(data)
        if overrides and code in overrides:
            state, sheet, teams = overrides[code]
        if sheet is not None:
            sheets[code] = sheet
        if state is MatchState.FINAL and sheet is not None:
            results[code] = sheet.result(rules)
            if teams[0] is not None and teams[1] is not None:
                played_by[code] = (teams[0], teams[1])
    resolution = resolve(
        fmt,
        results,
        rules,
        played_by=played_by,
        decisions=decisions_of(tournament.decisions) if decisions is None else decisions,
    )
    return Standing(tournament, spec, rules, fmt, fixtures, matches, sheets, resolution)


def _races(
    tournament: Tournament,
    spec: Spec,
    rules: Rules,
    overrides: Mapping[str, tuple[MatchState, Sheet | None, tuple[TeamId | None, TeamId | None]]] | None,
    decisions: Decisions | None,
) -> Standing:
    """Heats and a final: each race is a "fixture" of no pool (its teams are its lanes)."""
    codes = spec.codes()
    fixtures = {
        code: Fixture(code, team(""), team(""), None if code == FINAL else "heats", k)
        for k, code in enumerate(codes, start=1)
    }
    matches = {m.code: m for m in tournament.matches}
    sheets: dict[str, Sheet] = {}
    times: dict[str, dict[TeamId, int | None]] = {}
    for code, match in matches.items():
        state, data = match.state, match.result
        sheet = None if data is None else Sheet.from_data(data)
        if overrides and code in overrides:
            state, sheet, _teams = overrides[code]
        if sheet is not None:
            sheets[code] = sheet
        if state is MatchState.FINAL and sheet is not None:
            times[code] = sheet.timed()
    stored = decisions_of(tournament.decisions) if decisions is None else decisions
    orders = {teams: order for (context, teams), order in stored.items() if context == CONTEXT}
    races = resolve_races(spec.pools, spec.advance, times, orders)
    undecided = () if races.undecided is None else (Undecided(CONTEXT, races.undecided, Decider.LOTS),)
    resolution = Resolution(
        {}, {}, {code: (None, None) for code in codes}, races.places, undecided, races.stale, tuple(spec.teams)
    )
    return Standing(tournament, spec, rules, Format(), fixtures, matches, sheets, resolution, races.lanes)


def tournaments_of(edition: Edition) -> list[tuple[ProgrammeEntry, Standing]]:
    """Every tournament of an edition, read whole, in programme order (for its organisers' pages)."""
    rows = db.session.execute(
        sa.select(ProgrammeEntry, Tournament)
        .join(Tournament, Tournament.programme_entry_id == ProgrammeEntry.id)
        .where(ProgrammeEntry.edition_id == edition.id)
    ).all()
    pairs = [(entry, read(tournament)) for entry, tournament in rows]
    return sorted(pairs, key=lambda pair: pair[0].discipline.programme_key())


# --- what the public reads: each tournament of an edition, computed once per revision ---------------


@dataclass(frozen=True)
class TournamentView:
    """A discipline's tournament as the public sees it (pages, API, workbooks): read whole, once per revision."""

    discipline: Discipline
    standing: Standing
    venues: Mapping[str, str | None]  # match code -> venue name


def _views(edition_id: int) -> dict[str, TournamentView]:
    from cartel.read.published import _reading  # a read-only session of its own, as every public view

    with _reading() as session:
        rows = session.execute(
            sa.select(Tournament, Discipline)
            .join(Discipline, Discipline.id == Tournament.discipline_id)
            .where(Tournament.edition_id == edition_id)
            .options(selectinload(Tournament.matches).joinedload(Match.venue), selectinload(Tournament.decisions))
        ).all()
        views = {}
        for tournament, discipline in rows:
            standing = read(tournament)
            venues = {m.code: (m.venue.name if m.venue else None) for m in tournament.matches}
            views[discipline.slug] = TournamentView(discipline, standing, venues)
    return dict(sorted(views.items(), key=lambda item: item[1].discipline.programme_key()))


def tournament_views(edition_id: int, revision: int) -> dict[str, TournamentView]:
    """Every tournament of an edition by discipline slug, in programme order, for this revision."""
    return cache().get(("tournaments", edition_id), revision, lambda: _views(edition_id))


# --- the programme: every match of an edition, for the public ---------------------------------------


@dataclass(frozen=True)
class MatchRow:
    """A match as the programme lists it."""

    discipline: Discipline
    code: str
    teams: tuple[TeamId | None, ...]  # the two teams of a match, a race's lanes (None while not known)
    state: MatchState
    sheet: Sheet | None
    starts_at: dt.datetime | None
    venue: str | None
    updated_at: dt.datetime | None
    sequence: int = 0

    def involves(self, school: str) -> bool:
        return any(team is not None and school in members(team) for team in self.teams)


def match_rows(views: Mapping[str, TournamentView]) -> list[MatchRow]:
    rows = []
    for view in views.values():
        standing = view.standing
        for code in standing.fixtures:
            match = standing.matches[code]
            teams: tuple[TeamId | None, ...] = (
                standing.lanes.get(code, ()) if standing.races else standing.resolution.slots.get(code, (None, None))
            )
            rows.append(
                MatchRow(
                    view.discipline,
                    code,
                    teams,
                    match.state,
                    standing.sheets.get(code) if match.state is not MatchState.SCHEDULED else None,
                    match.starts_at,
                    view.venues.get(code),
                    match.updated_at,
                    match.sequence,
                )
            )
    return rows


@dataclass(frozen=True)
class Programme:
    in_progress: list[MatchRow]
    upcoming: list[MatchRow]
    latest: list[MatchRow]


def programme(
    views: Mapping[str, TournamentView],
    *,
    sport: str | None = None,
    school: str | None = None,
    venue: str | None = None,
    limit: int = 30,
) -> Programme:
    """What is being played, what comes next (by time, then those not scheduled yet), the latest results
    (newest first); only a sport's, a school's or a venue's when asked."""
    rows = [
        r
        for r in match_rows(views)
        if (sport is None or r.discipline.sport.slug == sport)
        and (school is None or r.involves(school))
        and (venue is None or r.venue == venue)
    ]
    order = {slug: k for k, slug in enumerate(views)}
    position = {(r.discipline.slug, r.code): k for k, r in enumerate(rows)}

    def soon(r: MatchRow) -> tuple[float, int, int]:
        known = all(t is not None for t in r.teams) and bool(r.teams)
        return (
            r.starts_at.timestamp() if r.starts_at else float("inf"),
            not known,
            position[(r.discipline.slug, r.code)],
        )

    in_progress = sorted((r for r in rows if r.state is MatchState.IN_PROGRESS), key=soon)
    upcoming = sorted((r for r in rows if r.state is MatchState.SCHEDULED), key=soon)[:limit]
    latest = sorted(
        (r for r in rows if r.state is MatchState.FINAL),
        key=lambda r: (-(r.updated_at or EPOCH).timestamp(), order.get(r.discipline.slug, 0)),
    )[:limit]
    return Programme(in_progress, upcoming, latest)
