"""What an administrator chooses for a discipline's tournament, as data: a shape and its teams. The
format (every match and the places they give) is built from it, the same every time it is read, so that
only this small choice is stored.

Teams are the ids the caller gives (a school's slug, or the slugs of a joint team joined by ``+``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cartel.core.tournament.fixtures import snake
from cartel.core.tournament.formats import Format, problems
from cartel.core.tournament.races import race_codes
from cartel.core.tournament.rules import TeamId
from cartel.core.tournament.shapes import Shape, knockout_format, pools_then_brackets, round_robin_format


@dataclass(frozen=True)
class Spec:
    """``pools`` for pools then brackets (each pool's teams), or for heats (each heat's teams); ``seeds``
    for one pool or a knockout (best first); ``advance``: the first of each pool that go to the bracket,
    with the ``best_of_next`` best of the next rank, the others playing a consolation pool when
    ``consolation_pool``, else a bracket; for heats, how many of the best times swim the final."""

    shape: Shape
    pools: tuple[tuple[TeamId, ...], ...] = ()
    seeds: tuple[TeamId, ...] = ()
    advance: int = 2
    best_of_next: int = 0
    consolation_pool: bool = False

    @property
    def races(self) -> bool:
        return self.shape is Shape.HEATS

    def codes(self) -> list[str]:
        """Every match or race, in playing order."""
        if self.races:
            return race_codes(len(self.pools))
        return [f.code for f in self.build().fixtures()]

    @property
    def teams(self) -> list[TeamId]:
        if self.shape in (Shape.POOLS_THEN_BRACKETS, Shape.HEATS):
            return [t for pool in self.pools for t in pool]
        return list(self.seeds)

    def problems(self) -> list[tuple[str, str]]:
        """What makes this choice unplayable, as (code, where) pairs: none when it gives every team one place."""
        found: list[tuple[str, str]] = []
        teams = self.teams
        if len(teams) < 2:
            return [("too_few_teams", str(len(teams)))]
        if len(set(teams)) != len(teams):
            return [("team_twice", t) for t in sorted({t for t in teams if teams.count(t) > 1})]
        if self.races:
            if not self.pools or any(len(heat) < 1 for heat in self.pools):
                found.append(("empty_heat", ""))
            if not 1 <= self.advance <= len(teams):
                found.append(("final_size_out_of_range", str(self.advance)))
            return found
        if self.shape is Shape.POOLS_THEN_BRACKETS:
            if len(self.pools) < 2:
                found.append(("too_few_pools", str(len(self.pools))))
            for number, pool in enumerate(self.pools, start=1):
                if len(pool) < 2:
                    found.append(("pool_too_small", str(number)))
            smallest = min((len(p) for p in self.pools), default=0)
            if not 1 <= self.advance <= smallest:
                found.append(("advance_out_of_range", str(self.advance)))
            if not 0 <= self.best_of_next < len(self.pools):
                found.append(("best_of_next_out_of_range", str(self.best_of_next)))
        if found:
            return found
        return problems(self.build())

    def build(self) -> Format:
        """The format: every match and the places they give (heats have none: see ``codes``)."""
        if self.races:
            return Format()
        if self.shape is Shape.ROUND_ROBIN:
            return round_robin_format(self.seeds)
        if self.shape is Shape.KNOCKOUT:
            return knockout_format(self.seeds)
        return pools_then_brackets(
            [list(p) for p in self.pools], self.advance, self.best_of_next, self.consolation_pool
        )

    def to_data(self) -> dict[str, object]:
        return {
            "shape": self.shape.value,
            "pools": [list(p) for p in self.pools],
            "seeds": list(self.seeds),
            "advance": self.advance,
            "best_of_next": self.best_of_next,
            "consolation_pool": self.consolation_pool,
        }

    @classmethod
    def from_data(cls, data: Mapping[str, object]) -> Spec:
        """The spec ``to_data`` wrote; ValueError when it cannot be read."""
        try:
            pools = data.get("pools") or []
            seeds = data.get("seeds") or []
            advance, best = data.get("advance", 2), data.get("best_of_next", 0)
            if not isinstance(pools, list) or not isinstance(seeds, list):
                raise TypeError("pools and seeds are lists")
            if not isinstance(advance, int) or not isinstance(best, int):
                raise TypeError("advance and best_of_next are whole numbers")
            return cls(
                Shape(str(data["shape"])),
                tuple(tuple(str(t) for t in _list(pool)) for pool in pools),
                tuple(str(t) for t in seeds),
                advance,
                best,
                bool(data.get("consolation_pool", False)),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"unreadable tournament: {error}") from error


def _list(value: object) -> list[object]:
    if not isinstance(value, list):
        raise TypeError(f"a list was expected, not {value!r}")
    return value


def suggested(teams: Sequence[TeamId], shape: Shape) -> Spec:
    """A sound starting point for ``teams`` (best first when a ranking is known): one pool up to five
    teams; else pools of three or four seeded in a snake (12 teams: four pools of three), the first two
    of each to the bracket, the others in a consolation bracket."""
    if shape is not Shape.POOLS_THEN_BRACKETS or len(teams) <= 5:
        return Spec(Shape.ROUND_ROBIN if shape is Shape.POOLS_THEN_BRACKETS else shape, seeds=tuple(teams))
    count = len(teams) // 3 if len(teams) <= 12 else -(-len(teams) // 4)
    pools = snake(teams, count)
    return Spec(Shape.POOLS_THEN_BRACKETS, tuple(tuple(p) for p in pools), advance=2)
