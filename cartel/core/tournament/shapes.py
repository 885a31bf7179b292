"""The formats an administrator picks from: one pool, a knockout in which every place is played, and
pools then brackets (the 2024 rulebooks' shape). Each gives every team exactly one place."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from cartel.core.tournament.fixtures import pool_names
from cartel.core.tournament.formats import (
    Across,
    Format,
    Pool,
    Source,
    across_rank,
    classification,
    pool_rank,
    team,
)
from cartel.core.tournament.rules import TeamId

CONSOLATION = "Z"  # the consolation pool's name, after the pools' letters


class Shape(StrEnum):
    ROUND_ROBIN = "round_robin"
    KNOCKOUT = "knockout"
    POOLS_THEN_BRACKETS = "pools_then_brackets"
    HEATS = "heats"  # timed heats, then a final for the best times (cartel.core.tournament.races)


def round_robin_format(teams: Sequence[TeamId]) -> Format:
    """One pool, whose order gives the places."""
    pool = Pool("A", tuple(team(t) for t in teams))
    return Format(pools=(pool,), places=tuple((pool_rank("A", r), r) for r in range(1, len(teams) + 1)))


def knockout_format(seeds: Sequence[TeamId]) -> Format:
    """A knockout, ``seeds`` best first, in which every place is played (see ``classification``)."""
    fixtures, places = classification([team(t) for t in seeds])
    return Format(bracket=tuple(fixtures), places=tuple(places))


def pools_then_brackets(
    pools: Sequence[Sequence[TeamId]], advance: int = 2, best_of_next: int = 0, consolation_pool: bool = False
) -> Format:
    """Pools, then a bracket for the first ``advance`` of each pool and the ``best_of_next`` best of the
    next rank (ranked across pools by the rules' ``across`` criteria), in which places 1 to its size are
    played; every other team plays a consolation for the places after: a bracket, or one pool when
    ``consolation_pool``. Seeds go rank by rank, pools in order: with four pools and two going through,
    the first of A meets the second of D, the first of B the second of C (never two of one pool)."""
    names = pool_names(len(pools))
    made = tuple(Pool(n, tuple(team(t) for t in teams)) for n, teams in zip(names, pools, strict=True))
    main: list[Source] = []
    rest: list[Source] = []
    rankings: list[Across] = []
    deepest = max((len(p) for p in pools), default=0)
    for rank in range(1, deepest + 1):
        holding = [n for n, teams in zip(names, pools, strict=True) if len(teams) >= rank]
        if rank <= advance:
            main += [pool_rank(n, rank) for n in holding]
        elif rank == advance + 1 and best_of_next > 0:
            ranking = Across(f"best{rank}", tuple(holding), rank)
            rankings.append(ranking)
            ranked = [across_rank(ranking.name, r) for r in range(1, len(holding) + 1)]
            main += ranked[:best_of_next]
            rest += ranked[best_of_next:]
        else:
            rest += [pool_rank(n, rank) for n in holding]
    fixtures, places = classification(main)
    if consolation_pool and len(rest) > 1:
        pool = Pool(CONSOLATION, tuple(rest))
        made = (*made, pool)
        places += [(pool_rank(CONSOLATION, r), len(main) + r) for r in range(1, len(rest) + 1)]
    else:
        more, more_places = classification(rest, len(main) + 1)
        fixtures += more
        places += more_places
    return Format(pools=made, across=tuple(rankings), bracket=tuple(fixtures), places=tuple(places))
