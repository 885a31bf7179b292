"""Heats and a final, as a discipline's tournament (the swimming relays): races whose lanes are known
(each heat's teams; the final's once every heat is timed and the cut-off decided), and the places the
times give (cartel.core.tournament.heats). Pure: standard library only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cartel.core.tournament import heats
from cartel.core.tournament.rules import TeamId

FINAL = "F"
CONTEXT = "final"  # where the organiser's decision on the final's last seats is recorded


def heat_code(number: int) -> str:
    return f"H{number}"


def race_codes(count: int) -> list[str]:
    """The races of ``count`` heats and a final, in the order they are swum."""
    return [heat_code(k) for k in range(1, count + 1)] + [FINAL]


@dataclass(frozen=True)
class Races:
    """``lanes``: each race's teams where known; ``places`` given so far; ``undecided``: the teams level
    at the final's cut-off, waiting on the organiser; ``stale``: a final timed for other teams than
    those who now reach it (a heat corrected since), which counts for nothing."""

    lanes: Mapping[str, tuple[TeamId, ...]]
    places: Mapping[TeamId, int]
    undecided: frozenset[TeamId] | None = None
    stale: tuple[str, ...] = ()


def resolve_races(
    field: Sequence[Sequence[TeamId]],
    size: int,
    times: Mapping[str, Mapping[TeamId, int | None]],
    decisions: heats.Decisions | None = None,
) -> Races:
    """Where the races stand from the times of those swum (``times`` by race code, only final ones)."""
    lanes: dict[str, tuple[TeamId, ...]] = {heat_code(k): tuple(h) for k, h in enumerate(field, start=1)}
    lanes[FINAL] = ()
    if any(heat_code(k) not in times for k in range(1, len(field) + 1)):
        return Races(lanes, {})
    heat_times: dict[TeamId, int | None] = {}
    for k, heat in enumerate(field, start=1):
        timed = times[heat_code(k)]
        heat_times.update({team: timed.get(team) for team in heat})
    chosen = heats.finalists(heat_times, size, decisions)
    if isinstance(chosen, heats.Undecided):
        return Races(lanes, heats.places(heat_times, {}, size, decisions).places, chosen.teams)
    lanes[FINAL] = tuple(chosen)
    final_times = times.get(FINAL, {})
    stale: tuple[str, ...] = ()
    if final_times and set(final_times) != set(chosen):
        final_times, stale = {}, (FINAL,)
    return Races(lanes, heats.places(heat_times, final_times, size, decisions).places, None, stale)
