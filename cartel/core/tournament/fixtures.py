"""Who meets whom: the rounds of a round robin, and teams seeded into pools. Pure: standard library only.

Teams are opaque identifiers; the order they are given in is the only thing that makes the output
deterministic (the first team of a round robin is the fixed one, a snake takes its teams best first).
"""

from __future__ import annotations

from collections.abc import Sequence
from string import ascii_uppercase

TeamId = str
Match = tuple[TeamId, TeamId]  # (home, away)


def round_robin(teams: Sequence[TeamId]) -> list[list[Match]]:
    """The rounds of a single round robin by the circle method, each a list of (home, away) matches.

    The first team stays put while the others turn around it, so every pair meets once and nobody
    plays twice in a round. With an odd number of teams an empty seat turns with them: whoever faces
    it rests, the first team in round 1 (n rounds of (n - 1) / 2 matches; n - 1 rounds of n / 2 with an
    even number).
    Home and away: among an odd number of teams, a team hosts the (n - 1) / 2 teams that follow it in
    the listed order, read as a circle, so each hosts exactly half its matches; with an even number the
    first team hosts in rounds 1, 3, 5... and the others follow that rule among themselves, so every
    team's home and away counts differ by at most one.
    """
    _refuse_duplicates(teams)
    if len(teams) < 2:
        return []
    fixed = 0  # teams are handled by their index in ``teams``
    seats: list[int | None] = list(range(1, len(teams)))
    if len(teams) % 2:
        seats.append(None)  # the empty seat: facing it is resting
    circle = len(teams) if len(teams) % 2 else len(teams) - 1  # the teams the hosting rule goes round
    rounds: list[list[Match]] = []
    for number in range(len(seats)):
        turned = seats[number:] + seats[:number]
        table = [fixed, *turned]
        matches: list[Match] = []
        for position in range(len(table) // 2):
            one, other = table[position], table[-1 - position]
            if one is None or other is None:
                continue
            if one == fixed and len(teams) % 2 == 0:
                home, away = (one, other) if number % 2 == 0 else (other, one)
            else:
                home, away = (one, other) if _hosts(one, other, circle) else (other, one)
            matches.append((teams[home], teams[away]))
        rounds.append(matches)
    return rounds


def _hosts(one: int, other: int, circle: int) -> bool:
    """Whether ``one`` hosts ``other``: when ``other`` follows it by 1 to circle // 2 places around a
    circle of ``circle`` teams (an odd number, so exactly one of any two hosts the other)."""
    return 1 <= (other - one) % circle <= circle // 2


def pool_sizes(teams: int, pools: int) -> list[int]:
    """The size of each pool, largest first, when ``teams`` are shared out as evenly as they can be."""
    if pools < 1:
        raise ValueError(f"at least one pool is needed, not {pools}")
    if pools > teams:
        raise ValueError(f"{pools} pools for {teams} teams would leave a pool empty")
    size, extra = divmod(teams, pools)
    return [size + 1] * extra + [size] * (pools - extra)


def snake(ranked: Sequence[TeamId], pools: int) -> list[list[TeamId]]:
    """Teams, best first, seeded into ``pools`` pools in a snake: 1 to A, 2 to B... k to the last pool,
    k + 1 to the last pool again and back to A, so each pool gets one of the k best teams and the
    strengths even out. A pool that has reached its size (``pool_sizes``) is passed over."""
    _refuse_duplicates(ranked)
    sizes = pool_sizes(len(ranked), pools)
    made: list[list[TeamId]] = [[] for _ in range(pools)]
    order = [*range(pools), *reversed(range(pools))]  # one way there and back
    step = 0
    for team in ranked:
        while len(made[order[step % len(order)]]) == sizes[order[step % len(order)]]:
            step += 1
        made[order[step % len(order)]].append(team)
        step += 1
    return made


def pool_names(count: int) -> list[str]:
    """The pools' names: "A", "B", ... (up to 26 pools)."""
    if not 0 <= count <= len(ascii_uppercase):
        raise ValueError(f"pools are named A to Z: {count} pools cannot be named")
    return list(ascii_uppercase[:count])


def _refuse_duplicates(teams: Sequence[TeamId]) -> None:
    seen: set[TeamId] = set()
    twice: set[TeamId] = set()
    for team in teams:
        (twice if team in seen else seen).add(team)
    if twice:
        raise ValueError(f"teams listed twice: {', '.join(sorted(twice))}")
