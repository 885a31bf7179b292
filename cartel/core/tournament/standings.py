"""A pool's table: each team's figures from its final matches, and its order by the rules' tie-breaks.

The order, as the 2024 rulebooks write it: match points first, then each tie-break in turn. When a
criterion splits a group of level teams, every subset it leaves level is ordered again from the first
criterion, so that what counts "among the tied teams" (head-to-head, the direct match) is re-applied to
the teams still level and to them only (badminton: "back to the direct match whenever only two
remain"). What no criterion splits is a tie the rules leave to the organiser (lots, a shoot-out...): it
stays unranked, reported as undecided, until the organiser's decision for that very set of teams is
given; a decision for another set (results changed since) does not apply.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction

from cartel.core.tournament.matches import Result
from cartel.core.tournament.rules import Criterion, Decider, Rules, TeamId

Decisions = Mapping[tuple[str, frozenset[TeamId]], Sequence[TeamId]]


@dataclass(frozen=True)
class Played:
    """A final match between two known teams."""

    home: TeamId
    away: TeamId
    result: Result


@dataclass(frozen=True)
class Line:
    """One team's row of a pool table."""

    team: TeamId
    played: int = 0
    won: int = 0
    drawn: int = 0
    lost: int = 0
    forfeited: int = 0
    scored: int = 0
    conceded: int = 0
    sets_won: int = 0
    sets_lost: int = 0
    points_won: int = 0
    points_lost: int = 0
    sendings_off: int = 0
    fair_play: int | None = None
    tries: int = 0
    match_points: int = 0

    @property
    def difference(self) -> int:
        return self.scored - self.conceded


@dataclass(frozen=True)
class Note:
    """A tie-break that decided: ``teams`` in the order it gave them."""

    teams: tuple[TeamId, ...]
    criterion: Criterion


@dataclass(frozen=True)
class Undecided:
    """Teams the rules leave level in ``context`` (a pool, a ranking across pools): the organiser decides."""

    context: str
    teams: frozenset[TeamId]
    decider: Decider


@dataclass(frozen=True)
class Table:
    """``lines`` in order; ``ranks`` 1-based, None while a tie awaits a decision; ``complete`` once every
    match of the pool is final (only then do ranks qualify anyone)."""

    lines: tuple[Line, ...]
    ranks: Mapping[TeamId, int | None]
    notes: tuple[Note, ...] = ()
    undecided: tuple[Undecided, ...] = ()
    complete: bool = False

    def at(self, rank: int) -> TeamId | None:
        """The team at ``rank`` once the pool is complete and that rank decided."""
        if not self.complete:
            return None
        return next((team for team, r in self.ranks.items() if r == rank), None)


@dataclass
class Context:
    """What ordering needs besides the lines: the matches (for what counts among tied teams), each team's
    pool size, the youngest players' birth dates where known, the organiser's decisions."""

    name: str
    rules: Rules
    matches: Sequence[Played] = ()
    sizes: Mapping[TeamId, int] = field(default_factory=dict)
    youngest: Mapping[TeamId, dt.date] = field(default_factory=dict)
    decisions: Decisions = field(default_factory=dict)


def lines(teams: Iterable[TeamId], matches: Iterable[Played], rules: Rules) -> dict[TeamId, Line]:
    """Each team's figures from the final matches between the given teams."""
    table = {team: Line(team) for team in teams}
    for match in matches:
        if match.home not in table or match.away not in table:
            continue
        home, away = match.result.sides(rules)
        winner = match.result.won_by(rules)
        for role, team, mine, theirs in (("home", match.home, home, away), ("away", match.away, away, home)):
            line = table[team]
            forfeited = match.result.forfeit == role
            points = rules.match_points
            if winner is None:
                gained, outcome = points.draw, {"drawn": line.drawn + 1}
            elif winner == role:
                gained, outcome = points.win, {"won": line.won + 1}
            else:
                gained = points.forfeit if forfeited else points.loss
                outcome = {"lost": line.lost + 1}
            mark = None if forfeited else mine.fair_play
            table[team] = replace(
                line,
                **outcome,  # type: ignore[arg-type]
                played=line.played + 1,
                forfeited=line.forfeited + forfeited,
                scored=line.scored + mine.score,
                conceded=line.conceded + theirs.score,
                sets_won=line.sets_won + mine.sets,
                sets_lost=line.sets_lost + theirs.sets,
                points_won=line.points_won + mine.points,
                points_lost=line.points_lost + theirs.points,
                sendings_off=line.sendings_off + mine.sendings_off,
                tries=line.tries + mine.tries,
                fair_play=line.fair_play if mark is None else (line.fair_play or 0) + mark,
                match_points=line.match_points + gained,
            )
    return table


def table(
    name: str,
    teams: Sequence[TeamId],
    matches: Sequence[Played],
    rules: Rules,
    *,
    complete: bool,
    youngest: Mapping[TeamId, dt.date] | None = None,
    decisions: Decisions | None = None,
) -> Table:
    """A pool's table from its final matches; ties are reported undecided only once the pool is complete."""
    figures = lines(teams, matches, rules)
    context = Context(name, rules, matches, {t: len(teams) for t in teams}, youngest or {}, decisions or {})
    tiers, notes, undecided = order(figures, rules.order, context)
    return Table(
        tuple(figures[t] for tier in tiers for t in tier),
        ranks_of(tiers),
        tuple(notes),
        tuple(undecided) if complete else (),
        complete,
    )


def ranks_of(tiers: Sequence[Sequence[TeamId]]) -> dict[TeamId, int | None]:
    ranks: dict[TeamId, int | None] = {}
    position = 1
    for tier in tiers:
        for team in tier:
            ranks[team] = position if len(tier) == 1 else None
        position += len(tier)
    return ranks


def order(
    figures: Mapping[TeamId, Line], criteria: Sequence[Criterion], context: Context
) -> tuple[list[tuple[TeamId, ...]], list[Note], list[Undecided]]:
    """The teams of ``figures`` in tiers, best first (see the module): a tier of several teams is a tie
    the criteria left to the organiser."""
    notes: list[Note] = []
    undecided: list[Undecided] = []

    def split(group: tuple[TeamId, ...]) -> list[tuple[TeamId, ...]]:
        if len(group) == 1:
            return [group]
        for criterion in criteria:
            keys = {team: key_of(criterion, team, group, figures, context) for team in group}
            if any(k is None for k in keys.values()):
                continue  # not known for every tied team: it cannot split them
            distinct = sorted(set(keys.values()), reverse=True)  # type: ignore[type-var]
            if len(distinct) == 1:
                continue
            parts = [tuple(sorted(t for t in group if keys[t] == k)) for k in distinct]
            if criterion is not Criterion.POINTS:
                notes.append(Note(tuple(t for part in parts for t in part), criterion))
            return [tier for part in parts for tier in split(part)]
        undecided.append(Undecided(context.name, frozenset(group), context.rules.decider))
        return [group]

    return split(tuple(sorted(figures))), notes, undecided


Key = int | Fraction | None


def key_of(
    criterion: Criterion, team: TeamId, group: tuple[TeamId, ...], figures: Mapping[TeamId, Line], context: Context
) -> Key:
    """The team's value for ``criterion`` among ``group`` (higher is better); None: not known."""
    line = figures[team]
    if criterion in SIMPLE:
        return SIMPLE[criterion](line)
    if criterion is Criterion.HEAD_TO_HEAD:
        among = [m for m in context.matches if m.home in group and m.away in group]
        return lines(group, among, context.rules)[team].match_points
    if criterion is Criterion.DIRECT_MATCH:
        if len(group) != 2:
            return 0
        among = [m for m in context.matches if m.home in group and m.away in group]
        return lines(group, among, context.rules)[team].won
    if criterion is Criterion.FAIR_PLAY:
        return line.fair_play
    if criterion is Criterion.SET_DIFFERENCE_PER_TEAM:
        return Fraction(line.sets_won - line.sets_lost, context.sizes.get(team, 1) or 1)
    if criterion is Criterion.POINTS_DIFFERENCE_PER_TEAM:
        return Fraction(line.points_won - line.points_lost, context.sizes.get(team, 1) or 1)
    if criterion is Criterion.YOUNGEST:
        born = context.youngest.get(team)
        return None if born is None else born.toordinal()  # born later: younger, first
    if criterion is Criterion.DECISION:
        decided = context.decisions.get((context.name, frozenset(group)))
        if decided is None or set(decided) != set(group):
            return None
        return -list(decided).index(team)
    raise ValueError(f"unknown criterion {criterion}")


SIMPLE: dict[Criterion, Callable[[Line], int]] = {
    Criterion.POINTS: lambda line: line.match_points,
    Criterion.SCORE_DIFFERENCE: lambda line: line.difference,
    Criterion.SCORED: lambda line: line.scored,
    Criterion.TRIES_SCORED: lambda line: line.tries,
    Criterion.FEWER_SENDINGS_OFF: lambda line: -line.sendings_off,
    Criterion.SET_DIFFERENCE: lambda line: line.sets_won - line.sets_lost,
    Criterion.POINTS_DIFFERENCE: lambda line: line.points_won - line.points_lost,
    Criterion.POINTS_WON: lambda line: line.points_won,
}
