"""Timed events run in heats then a final (the swimming relays: the best heat times swim a final, whose
times give the ranking). Pure: standard library only.

Times are whole hundredths of a second; ``None`` is no time (did not finish, disqualified). Places are
shared on equal times (1, 2, 2, 4), as the podium allows ex aequo; the one thing times may leave open
is who takes the last seats of the final, which the organiser then decides.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

TeamId = str
Times = Mapping[TeamId, int | None]
Decisions = Mapping[frozenset[TeamId], Sequence[TeamId]]

EQUAL_HEAT_TIMES = "equal_heat_times"  # the reason an Undecided gives: times cannot split the cut-off


@dataclass(frozen=True)
class Undecided:
    """Teams level on time at the final's cut-off, more of them than seats left: the organiser orders
    them, and the order comes back as ``decisions[teams]``."""

    teams: frozenset[TeamId]
    reason: str = EQUAL_HEAT_TIMES


@dataclass(frozen=True)
class Placing:
    """The places known so far (a team without one is not placed yet) and what waits on the organiser."""

    places: dict[TeamId, int]
    undecided: list[Undecided] = field(default_factory=list)


def finalists(heat_times: Times, size: int, decisions: Decisions | None = None) -> list[TeamId] | Undecided:
    """The ``size`` teams with the best heat times, best first, or the teams tied for the last seats.

    A team with no heat time never reaches the final, which then has fewer than ``size`` swimmers.
    Teams level on time at the cut-off, more of them than seats left, are ordered by
    ``decisions[frozenset(tied)]`` when the organiser has given that order, else returned as Undecided.
    """
    better, level, seats = _cut_off(heat_times, size)
    if len(level) <= seats:
        return better + level
    order = (decisions or {}).get(frozenset(level))
    if order is None:
        return Undecided(frozenset(level))
    if len(order) != len(level) or set(order) != set(level):
        raise ValueError(f"the order for {sorted(level)} must list each of them once, not {list(order)}")
    return better + list(order[:seats])


def places(
    heat_times: Times,
    final_times: Times,
    size: int,
    decisions: Decisions | None = None,
) -> Placing:
    """Places from the final, then from the heats: finalists 1 on by final time (one without a final time
    after those with one), the other teams next by heat time, those with no time at all last; equal
    times share a place. ``final_times`` empty means the final is not swum yet: only the places already
    certain are given, the non-finalists' (and, while the cut-off waits on the organiser, the places of
    the teams slower than it, which no decision can change).
    """
    unknown = set(final_times) - set(heat_times)
    if unknown:
        raise ValueError(f"final times for teams without a heat entry: {sorted(unknown)}")
    _refuse_negative(final_times)
    chosen = finalists(heat_times, size, decisions)
    if isinstance(chosen, Undecided):
        through = set(_cut_off(heat_times, size)[0])
        _refuse_final_times(final_times, through | chosen.teams)
        rest = _ranks({team: time for team, time in heat_times.items() if team not in through}, len(through) + 1)
        certain = {team: place for team, place in rest.items() if team not in chosen.teams}
        return Placing(certain, [chosen])
    _refuse_final_times(final_times, set(chosen))
    placed = _ranks({team: time for team, time in heat_times.items() if team not in chosen}, len(chosen) + 1)
    if final_times:
        placed |= _ranks({team: final_times.get(team) for team in chosen}, 1)
    return Placing(placed)


def _cut_off(heat_times: Times, size: int) -> tuple[list[TeamId], list[TeamId], int]:
    """The teams surely in the final (faster than the cut-off), those level on the cut-off time (all of
    them when they fit), and the seats left for the latter."""
    if size < 0:
        raise ValueError(f"a final cannot have {size} seats")
    _refuse_negative(heat_times)
    timed = sorted((time, team) for team, time in heat_times.items() if time is not None)
    if len(timed) <= size:
        return [team for _, team in timed], [], 0
    if size == 0:
        return [], [], 0
    cut = timed[size - 1][0]
    better = [team for time, team in timed if time < cut]
    return better, [team for time, team in timed if time == cut], size - len(better)


def _ranks(times: Times, first: int) -> dict[TeamId, int]:
    """Competition ranking from ``first`` on: faster first, equal times share a place, no time last."""
    ranks: dict[TeamId, int] = {}
    ordered = sorted(times.items(), key=lambda item: (item[1] is None, item[1] or 0))
    for index, (team, time) in enumerate(ordered):
        if index and time == ordered[index - 1][1]:
            ranks[team] = ranks[ordered[index - 1][0]]
        else:
            ranks[team] = first + index
    return ranks


def _refuse_negative(times: Times) -> None:
    wrong = sorted(team for team, time in times.items() if time is not None and time < 0)
    if wrong:
        raise ValueError(f"negative times for {wrong}")


def _refuse_final_times(final_times: Times, allowed: set[TeamId]) -> None:
    intruders = sorted(set(final_times) - allowed)
    if intruders:
        raise ValueError(f"final times for teams that did not reach the final: {intruders}")
