"""A team tie (badminton, tennis, table tennis): two schools meet in sub-matches (men's singles, women's
singles, mixed doubles); the school that wins most of them wins the tie. The sets and the points (games,
in tennis) of the sub-matches are the tie's own figures, which the pool's tie-breaks count. A delegation
without the players for a sub-match loses it on the rules' fictitious sets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cartel.core.tournament.matches import Result, Role
from cartel.core.tournament.rules import Rules, Side


@dataclass(frozen=True)
class SubMatch:
    """One sub-match: its sets (home, away), or ``given_up`` by the side that had no players for it."""

    sets: tuple[tuple[int, int], ...] = ()
    given_up: Role | None = None

    def counted(self, rules: Rules) -> tuple[tuple[int, int], ...]:
        if self.given_up == "home":
            return tuple((b, a) for a, b in rules.sub_forfeit)
        if self.given_up == "away":
            return rules.sub_forfeit
        return self.sets

    def won_by(self, rules: Rules) -> Role | None:
        home = sum(1 for a, b in self.counted(rules) if a > b)
        away = sum(1 for a, b in self.counted(rules) if b > a)
        if home == away:
            return None
        return "home" if home > away else "away"


def tie_result(subs: Sequence[SubMatch], rules: Rules) -> Result:
    """The tie's result: sub-matches won, and the sets and points of all of them."""
    home = away = 0
    home_sets = away_sets = home_points = away_points = 0
    for sub in subs:
        won = sub.won_by(rules)
        home += won == "home"
        away += won == "away"
        for a, b in sub.counted(rules):
            home_sets += a > b
            away_sets += b > a
            home_points += a
            away_points += b
    return Result(Side(home, home_sets, home_points), Side(away, away_sets, away_points))


def tie_problems(subs: Sequence[SubMatch], rules: Rules) -> list[tuple[str, int]]:
    """What is wrong with a tie's sub-matches: (code, 1-based sub-match) pairs; none when it can be saved."""
    found: list[tuple[str, int]] = []
    if len(subs) != len(rules.team_tie):
        found.append(("sub_matches_missing", 0))
    for number, sub in enumerate(subs, start=1):
        if sub.given_up is not None:
            continue
        if not sub.sets:
            found.append(("no_sets", number))
        elif any(a < 0 or b < 0 or a > 99 or b > 99 for a, b in sub.sets):
            found.append(("absurd", number))
        elif any(a == b for a, b in sub.sets) or sub.won_by(rules) is None:
            found.append(("no_winner", number))
    return found
