"""A schedule's conflicts: a team in two matches at once, a venue double-booked, a team with too little
rest between two matches. Flagged for the organisers to fix, never silently moved. Pure: standard
library only; times are naive and in one time zone, whichever the caller uses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from cartel.core.tournament.rules import TeamId

JOINT = "+"


class Clash(StrEnum):
    TEAM_TWICE = "team_twice"  # a team plays two matches that overlap
    VENUE_TWICE = "venue_twice"  # two matches on one venue overlap
    NO_REST = "no_rest"  # a team's next match starts before it has had its rest


@dataclass(frozen=True)
class Slot:
    """A scheduled match: ``key`` names it ("handball-men/A-1.1"); ``teams`` as far as they are known
    (a joint team's schools joined by "+": each of them is busy); ``minutes`` it takes, ``rest`` its
    teams need after it."""

    key: str
    starts_at: dt.datetime
    minutes: int
    venue: str | None = None
    teams: tuple[TeamId | None, TeamId | None] = (None, None)
    rest: int = 0

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.minutes)

    def schools(self) -> set[str]:
        return {school for team in self.teams if team for school in team.split(JOINT)}


@dataclass(frozen=True)
class Conflict:
    kind: Clash
    keys: tuple[str, str]  # the two matches, earlier first
    about: str  # the team (a school) or the venue


def conflicts(slots: Iterable[Slot]) -> list[Conflict]:
    """Every conflict between two slots, in time order; none for matches without a time."""
    ordered: Sequence[Slot] = sorted(slots, key=lambda s: (s.starts_at, s.key))
    found: list[Conflict] = []
    for k, first in enumerate(ordered):
        for second in ordered[k + 1 :]:
            if second.starts_at >= first.ends_at + dt.timedelta(minutes=first.rest):
                break  # sorted by start: nothing later can clash with ``first``
            keys = (first.key, second.key)
            overlap = second.starts_at < first.ends_at
            if overlap and first.venue and first.venue == second.venue:
                found.append(Conflict(Clash.VENUE_TWICE, keys, first.venue))
            for school in sorted(first.schools() & second.schools()):
                found.append(Conflict(Clash.TEAM_TWICE if overlap else Clash.NO_REST, keys, school))
    return found
