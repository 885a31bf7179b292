"""The shape of a discipline's tournament: pools, matches between slots, and the places they give.

Everything is said with *sources*: where a slot's team comes from (a given team, a rank in a pool, a
rank among the teams of one rank across pools, the winner or the loser of a match). A format is sound
when every team ends with exactly one place: each source is used exactly once, the places are 1 to the
number of teams, and no match waits on itself (``problems`` says what is wrong, before anything is played).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from cartel.core.tournament.fixtures import round_robin
from cartel.core.tournament.rules import TeamId


class From(StrEnum):
    TEAM = "team"  # ref: the team
    POOL = "pool"  # ref: the pool, rank: its rank there
    ACROSS = "across"  # ref: the ranking across pools, rank: its rank there
    WINNER = "winner"  # ref: the match
    LOSER = "loser"  # ref: the match


@dataclass(frozen=True, order=True)
class Source:
    kind: From
    ref: str
    rank: int = 0

    def __str__(self) -> str:
        if self.kind in (From.POOL, From.ACROSS):
            return f"{self.ref}{self.rank}"
        return f"{self.kind.value[0].upper()}:{self.ref}" if self.kind is not From.TEAM else self.ref


def team(ref: TeamId) -> Source:
    return Source(From.TEAM, ref)


def pool_rank(pool: str, rank: int) -> Source:
    return Source(From.POOL, pool, rank)


def winner(match: str) -> Source:
    return Source(From.WINNER, match)


def loser(match: str) -> Source:
    return Source(From.LOSER, match)


def across_rank(name: str, rank: int) -> Source:
    return Source(From.ACROSS, name, rank)


@dataclass(frozen=True)
class Pool:
    """A round robin between its entrants; its matches are ``fixtures``."""

    name: str
    entrants: tuple[Source, ...]

    def fixtures(self) -> list[Fixture]:
        """Its matches: each pair once, no team twice in a round (codes ``A-2.1``: pool, round, match)."""
        slots = [str(n) for n in range(len(self.entrants))]
        return [
            Fixture(f"{self.name}-{r}.{m}", self.entrants[int(h)], self.entrants[int(a)], self.name, r)
            for r, pairs in enumerate(round_robin(slots), start=1)
            for m, (h, a) in enumerate(pairs, start=1)
        ]


@dataclass(frozen=True)
class Across:
    """The teams at ``rank`` in each of ``pools``, ranked against each other (the best runner-up)."""

    name: str
    pools: tuple[str, ...]
    rank: int


@dataclass(frozen=True)
class Fixture:
    """A match between two slots: in a pool (``pool`` and ``round`` set) or in a bracket."""

    code: str
    home: Source
    away: Source
    pool: str | None = None
    round: int = 0

    @property
    def bracket(self) -> bool:
        return self.pool is None


@dataclass(frozen=True)
class Format:
    """Pools, rankings across pools, bracket matches, and which source takes which place."""

    pools: tuple[Pool, ...] = ()
    across: tuple[Across, ...] = ()
    bracket: tuple[Fixture, ...] = ()
    places: tuple[tuple[Source, int], ...] = ()

    def fixtures(self) -> list[Fixture]:
        """Every match: the pools' then the bracket's, in playing order."""
        return [f for pool in self.pools for f in pool.fixtures()] + list(self.bracket)

    def teams(self) -> list[TeamId]:
        return (
            [s.ref for pool in self.pools for s in pool.entrants if s.kind is From.TEAM]
            + [s.ref for f in self.bracket for s in (f.home, f.away) if s.kind is From.TEAM]
            + [s.ref for s, _ in self.places if s.kind is From.TEAM]
        )


def problems(fmt: Format) -> list[tuple[str, str]]:
    """What makes ``fmt`` leave a team without a place, or with two: (code, where) pairs; none when sound."""
    found: list[tuple[str, str]] = []
    made: list[Source] = []  # every source the format produces
    used: list[Source] = []  # every source something takes
    pools = {p.name: p for p in fmt.pools}
    codes = [f.code for f in fmt.bracket]
    if len(pools) != len(fmt.pools):
        found.append(("pool_twice", ""))
    if len(set(codes)) != len(codes):
        found.append(("match_twice", ""))
    for pool in fmt.pools:
        if len(pool.entrants) < 2:
            found.append(("pool_too_small", pool.name))
        used += pool.entrants
        made += [pool_rank(pool.name, r) for r in range(1, len(pool.entrants) + 1)]
    for ranking in fmt.across:
        for name in ranking.pools:
            if name not in pools:
                found.append(("unknown_pool", name))
            used.append(pool_rank(name, ranking.rank))
        made += [across_rank(ranking.name, r) for r in range(1, len(ranking.pools) + 1)]
    for fixture in fmt.bracket:
        used += [fixture.home, fixture.away]
        made += [winner(fixture.code), loser(fixture.code)]
    used += [source for source, _ in fmt.places]
    teams = [s for s in used if s.kind is From.TEAM]
    if len(set(teams)) != len(teams):
        found += [("team_twice", s.ref) for s in sorted(set(teams)) if teams.count(s) > 1]
    for source in sorted(set(made)):
        count = used.count(source)
        if count == 0:
            found.append(("goes_nowhere", str(source)))
        elif count > 1:
            found.append(("used_twice", str(source)))
    found += [("comes_from_nowhere", str(s)) for s in sorted(set(used) - set(made)) if s.kind is not From.TEAM]
    places = sorted(place for _, place in fmt.places)
    if places != list(range(1, len(teams) + 1)):
        found.append(("places_not_one_each", ", ".join(str(p) for p in places)))
    if not found and cycle(fmt):
        found.append(("waits_on_itself", cycle(fmt) or ""))
    return found


def cycle(fmt: Format) -> str | None:
    """A match that waits, through its sources, on its own result: its code; None when there is none."""
    needs: dict[str, set[str]] = {}  # node -> nodes it waits on: match codes, "pool:A", "across:name"
    for pool in fmt.pools:
        needs[f"pool:{pool.name}"] = {node for s in pool.entrants if (node := _node(s, fmt)) is not None}
    for ranking in fmt.across:
        needs[f"across:{ranking.name}"] = {f"pool:{name}" for name in ranking.pools}
    for f in fmt.bracket:
        needs[f.code] = {node for s in (f.home, f.away) if (node := _node(s, fmt)) is not None}
    state: dict[str, int] = {}

    def visit(node: str) -> str | None:
        if state.get(node) == 1:
            return node
        if state.get(node) == 2:
            return None
        state[node] = 1
        for other in sorted(needs.get(node, ())):
            looped = visit(other)
            if looped is not None:
                return looped
        state[node] = 2
        return None

    for node in sorted(needs):
        looped = visit(node)
        if looped is not None:
            return looped.split(":")[-1]
    return None


def _node(source: Source, fmt: Format) -> str | None:
    if source.kind is From.POOL:
        return f"pool:{source.ref}"
    if source.kind is From.ACROSS:
        ranking = next((a for a in fmt.across if a.name == source.ref), None)
        return None if ranking is None else f"across:{ranking.name}"
    if source.kind in (From.WINNER, From.LOSER):
        return source.ref
    return None


def classification(seeds: Sequence[Source], first: int = 1) -> tuple[list[Fixture], list[tuple[Source, int]]]:
    """A bracket in which every place is played, ``seeds`` best first: the matches and the places.

    A power of two plays 1 v n, 2 v n-1...; the winners play on for the first half of the places and the
    losers for the second (8 teams: quarter-finals, semi-finals for 1-4 and 5-8, then a match for each
    pair of places). Any other number first has its lowest seeds play in, as many matches as it has
    teams beyond a power of two; their losers play on for the last places. Codes name the places at stake:
    ``1-2`` the final, ``3-4`` the match for 3rd place, ``1-8.2`` the second quarter-final, ``1-6.p1`` a
    play-in match."""
    fixtures: list[Fixture] = []
    places: list[tuple[Source, int]] = []

    def play(seeds: Sequence[Source], first: int) -> None:
        n = len(seeds)
        if n == 0:
            return
        if n == 1:
            places.append((seeds[0], first))
            return
        last = first + n - 1
        if n == 2:
            code = f"{first}-{last}"
            fixtures.append(Fixture(code, seeds[0], seeds[1]))
            places.extend([(winner(code), first), (loser(code), last)])
            return
        size = 1 << (n.bit_length() - 1)
        if size == n:
            pairs = [(seeds[i], seeds[n - 1 - i]) for i in range(n // 2)]
            codes = [f"{first}-{last}.{i}" for i in range(1, n // 2 + 1)]
            fixtures.extend(Fixture(c, h, a) for c, (h, a) in zip(codes, pairs, strict=True))
            # in the order of each match's better seed: the next round's 1 v n makes the winner of 1 v 8
            # meet the winner of 4 v 5, as a bracket is drawn
            play([winner(c) for c in codes], first)
            play([loser(c) for c in codes], first + n // 2)
            return
        extra = n - size
        stay, play_in = list(seeds[: size - extra]), list(seeds[size - extra :])
        codes = [f"{first}-{last}.p{i}" for i in range(1, extra + 1)]
        pairs = [(play_in[i], play_in[len(play_in) - 1 - i]) for i in range(extra)]
        fixtures.extend(Fixture(c, h, a) for c, (h, a) in zip(codes, pairs, strict=True))
        play(stay + [winner(c) for c in codes], first)
        play([loser(c) for c in codes], first + size)

    play(list(seeds), first)
    return fixtures, places
