"""From the matches played to the places: who fills each slot, the pool tables, and the places decided.

A pool ranks anyone only once every one of its matches is final; a bracket match gives its winner and
loser once final. A place is given only when it is decided (the team beaten in a semi-final has no place
until the match for 3rd is played). A result recorded for teams that no longer fill its slot (a pool
result corrected after the bracket was drawn) is *stale*: it counts for nothing and is reported, so that
the caller can refuse the correction that would cause it rather than silently re-seed a bracket.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from cartel.core.tournament.formats import Fixture, Format, From, Source, across_rank, loser, pool_rank, winner
from cartel.core.tournament.matches import Result
from cartel.core.tournament.rules import Criterion, Rules, TeamId
from cartel.core.tournament.standings import Context, Decisions, Played, Table, Undecided, order, table


@dataclass(frozen=True)
class Resolution:
    """``slots``: each match's two teams where known; ``places``: the places decided so far."""

    tables: Mapping[str, Table]
    across: Mapping[str, tuple[TeamId | None, ...]]
    slots: Mapping[str, tuple[TeamId | None, TeamId | None]]
    places: Mapping[TeamId, int]
    undecided: tuple[Undecided, ...] = ()
    stale: tuple[str, ...] = ()
    teams: tuple[TeamId, ...] = field(default=())

    @property
    def finished(self) -> bool:
        """Every team has its place."""
        return bool(self.teams) and len(self.places) == len(self.teams)


def resolve(
    fmt: Format,
    results: Mapping[str, Result],
    rules: Rules,
    *,
    played_by: Mapping[str, tuple[TeamId, TeamId]] | None = None,
    decisions: Decisions | None = None,
    youngest: Mapping[TeamId, dt.date] | None = None,
) -> Resolution:
    """The state of the tournament from the final ``results`` by match code. ``played_by``: the teams each
    result was entered for (a result whose slot now holds other teams is stale, see the module)."""
    decisions, youngest, played_by = decisions or {}, youngest or {}, played_by or {}
    known: dict[Source, TeamId] = {s: s.ref for s in _team_sources(fmt)}
    fixtures = fmt.fixtures()
    slots: dict[str, tuple[TeamId | None, TeamId | None]] = {}
    tables: dict[str, Table] = {}
    across: dict[str, tuple[TeamId | None, ...]] = {}
    undecided: list[Undecided] = []
    stale: set[str] = set()

    def result_for(fixture: Fixture, home: TeamId, away: TeamId) -> Result | None:
        result = results.get(fixture.code)
        if result is None:
            return None
        if played_by.get(fixture.code, (home, away)) != (home, away):
            stale.add(fixture.code)
            return None
        return result

    for _ in range(len(fixtures) + len(fmt.pools) + len(fmt.across) + 2):  # each pass settles one step more
        before = len(known)
        undecided.clear()
        for pool in fmt.pools:
            teams = [known.get(s) for s in pool.entrants]
            own = [f for f in fixtures if f.pool == pool.name]
            for f in own:
                slots[f.code] = (known.get(f.home), known.get(f.away))
            if any(t is None for t in teams):
                continue
            entrants = [t for t in teams if t is not None]
            played = []
            for f in own:
                home, away = known[f.home], known[f.away]
                result = result_for(f, home, away)
                if result is not None:
                    played.append(Played(home, away, result))
            complete = len(played) == len(own)
            tables[pool.name] = table(
                pool.name, entrants, played, rules, complete=complete, youngest=youngest, decisions=decisions
            )
            undecided += tables[pool.name].undecided
            if complete:
                for team, rank in tables[pool.name].ranks.items():
                    if rank is not None:
                        known[pool_rank(pool.name, rank)] = team
        for ranking in fmt.across:
            ranked = _across(ranking.name, ranking.pools, ranking.rank, tables, rules, youngest, decisions, fmt)
            if ranked is None:
                continue
            tiers, tie = ranked
            undecided += tie
            across[ranking.name] = tuple(t[0] if len(t) == 1 else None for t in tiers for _ in t)
            position = 1
            for tier in tiers:
                if len(tier) == 1:
                    known[across_rank(ranking.name, position)] = tier[0]
                position += len(tier)
        for f in fmt.bracket:
            first, second = slots[f.code] = (known.get(f.home), known.get(f.away))
            if first is None or second is None:
                continue
            result = result_for(f, first, second)
            side = None if result is None else result.won_by(rules)
            if side is not None:
                won, lost = (first, second) if side == "home" else (second, first)
                known[winner(f.code)], known[loser(f.code)] = won, lost
        if len(known) == before:
            break
    places = {known[s]: place for s, place in fmt.places if s in known}
    return Resolution(tables, across, slots, places, tuple(undecided), tuple(sorted(stale)), tuple(fmt.teams()))


def _team_sources(fmt: Format) -> list[Source]:
    return [
        s
        for s in (
            *(e for p in fmt.pools for e in p.entrants),
            *(x for f in fmt.bracket for x in (f.home, f.away)),
            *(s for s, _ in fmt.places),
        )
        if s.kind is From.TEAM
    ]


def _across(
    name: str,
    pools: tuple[str, ...],
    rank: int,
    tables: Mapping[str, Table],
    rules: Rules,
    youngest: Mapping[TeamId, dt.date],
    decisions: Decisions,
    fmt: Format,
) -> tuple[list[tuple[TeamId, ...]], list[Undecided]] | None:
    """The teams at ``rank`` of each pool in order (the best runner-up first), once every pool is complete."""
    chosen = [tables.get(p) for p in pools]
    if any(t is None or not t.complete for t in chosen):
        return None
    entries: dict[TeamId, int] = {}
    figures = {}
    for pool_table in chosen:
        assert pool_table is not None
        team = pool_table.at(rank)
        if team is None:
            return None  # that rank still waits on a decision
        entries[team] = len(pool_table.lines)
        figures[team] = next(line for line in pool_table.lines if line.team == team)
    context = Context(name, rules, (), entries, youngest, decisions)
    criteria = (*rules.across, *(() if Criterion.DECISION in rules.across else (Criterion.DECISION,)))
    tiers, _notes, tie = order(figures, criteria, context)
    return tiers, tie
