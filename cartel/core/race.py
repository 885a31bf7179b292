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
from typing import Generic, TypeAlias

from cartel.core import scoring
from cartel.core.scoring import D, Key, S


@dataclass(frozen=True)
class ResultRecorded(Generic[D, S]):
    at: datetime
    discipline: D
    places: tuple[tuple[int, tuple[S, ...]], ...]  # the whole podium after the change; () when emptied


@dataclass(frozen=True)
class AdjustmentRecorded(Generic[S]):
    at: datetime
    adjustment: Key
    school: S
    points: Fraction | None  # None: removed


Event: TypeAlias = ResultRecorded[D, S] | AdjustmentRecorded[S]


@dataclass(frozen=True)
class Step(Generic[S]):
    at: datetime
    totals: Mapping[S, Fraction]


def replay(
    schools: Iterable[S],
    scheme: scoring.ScoringScheme[D],
    weights: Mapping[D, Fraction | int],
    events: Sequence[Event[D, S]],
) -> tuple[Step[S], ...]:
    """The totals of every school after each event, in order; events of the same moment make one step.

    A discipline with its own points table in ``scheme.tables`` earns it, its weight aside.
    """
    everyone = set(schools)
    earned: dict[D, Mapping[S, Fraction]] = {}  # per discipline: what its current podium gives
    adjustments: dict[Key, tuple[S, Fraction]] = {}
    steps: list[Step[S]] = []
    for event in events:
        if isinstance(event, ResultRecorded):
            if event.discipline in weights:
                placements = [scoring.Finish(event.discipline, p, team) for p, team in event.places]
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


def ends_at(steps: Sequence[Step[S]], totals: Mapping[S, Fraction]) -> bool:
    """Whether the race's last step gives these totals (the ranking's): the trail explains them."""
    if not steps:
        return False
    last = steps[-1].totals
    return all(last.get(school, Fraction(0)) == points for school, points in totals.items())
