"""The race: each school's total through an edition, replayed from the recorded results.

Pure: the caller reads the audit trail and gives each recorded result (the whole podium of a
discipline as saved, corrected or restored) and each penalty added or removed, in the order they were
recorded; the totals after each event are computed with the edition's scheme (the disciplines' own
points tables included) and weights as they are now, with the same points per discipline as the
ranking (scoring.discipline_points). The last step therefore equals the ranking whenever the trail
explains every current result; the caller checks that (``ends_at``) and shows no race otherwise (an
edition entered before the trail existed, or seeded from the rulebooks).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from cartel.core import scoring
from cartel.core.scoring import Key


@dataclass(frozen=True)
class ResultRecorded:
    at: datetime
    discipline: Key
    places: tuple[tuple[int, tuple[Key, ...]], ...]  # the whole podium after the change; () when emptied


@dataclass(frozen=True)
class AdjustmentRecorded:
    at: datetime
    adjustment: Key
    school: Key
    points: Fraction | None  # None: removed


Event = ResultRecorded | AdjustmentRecorded


@dataclass(frozen=True)
class Step:
    at: datetime
    totals: Mapping[Key, Fraction]


def replay(
    schools: Iterable[Key],
    scheme: scoring.ScoringScheme,
    weights: Mapping[Key, Fraction | int],
    events: Sequence[Event],
) -> tuple[Step, ...]:
    """The totals of every school after each event, in order; events of the same moment make one step.

    A discipline with its own points table in ``scheme.tables`` earns it, its weight aside.
    """
    everyone = set(schools)
    earned: dict[Key, Mapping[Key, Fraction]] = {}  # per discipline: what its current podium gives
    adjustments: dict[Key, tuple[Key, Fraction]] = {}
    steps: list[Step] = []
    for event in events:
        if isinstance(event, ResultRecorded):
            if event.discipline in weights:
                placements = [scoring.Placement(event.discipline, p, team) for p, team in event.places]
                earned[event.discipline] = scoring.discipline_points(placements, scheme, weights[event.discipline])
        elif event.points is None:
            adjustments.pop(event.adjustment, None)
        else:
            adjustments[event.adjustment] = (event.school, event.points)
        totals = dict.fromkeys(everyone, Fraction(0))
        for points in earned.values():
            for school, value in points.items():
                totals[school] = totals.get(school, Fraction(0)) + value
        for school, value in adjustments.values():
            totals[school] = totals.get(school, Fraction(0)) + value
        if steps and steps[-1].at == event.at:
            steps[-1] = Step(event.at, totals)
        else:
            steps.append(Step(event.at, totals))
    return tuple(steps)


def ends_at(steps: Sequence[Step], totals: Mapping[Key, Fraction]) -> bool:
    """Whether the race's last step gives these totals (the ranking's): the trail explains them."""
    if not steps:
        return False
    last = steps[-1].totals
    return all(last.get(school, Fraction(0)) == points for school, points in totals.items())
