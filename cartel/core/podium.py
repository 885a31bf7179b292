"""Rules of one discipline's result as an organiser enters it. Pure: no Flask, no database.

The entry form has rows, best first; each row is a team (one school, or a joint team) and may be
marked "ex aequo" with the row above. Places follow from the rows: row k takes place k unless it is
tied with the row above, whose place it shares (rows 1, 2, 3, 4-tied give places 1, 2, 3, 3).
"""

from __future__ import annotations

from collections.abc import Container, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

Key = Hashable
S = TypeVar("S", bound=Hashable)  # what identifies a school
# the same in a Row or a Team, which never change: a team of slugs is also a team of hashable keys
S_co = TypeVar("S_co", bound=Hashable, covariant=True)


@dataclass(frozen=True)
class Row(Generic[S_co]):
    """One row of the entry form: a team (empty when not filled) and the ex aequo mark."""

    schools: tuple[S_co, ...] = ()
    tied_with_above: bool = False


@dataclass(frozen=True)
class Team(Generic[S_co]):
    place: int
    schools: tuple[S_co, ...]


@dataclass(frozen=True)
class Problem:
    """What is wrong, and where: ``row`` is the 1-based form row, or None for the whole result."""

    code: str
    row: int | None = None
    params: dict[str, object] = field(default_factory=dict)


def teams_from_rows(rows: Iterable[Row[S]]) -> list[Team[S]]:
    """Places from form rows (see the module docstring); empty rows are skipped."""
    teams: list[Team[S]] = []
    place = 0
    for index, row in enumerate(rows, start=1):
        if not row.schools:
            continue
        if not (row.tied_with_above and teams):
            place = index
        teams.append(Team(place, tuple(row.schools)))
    return teams


def rows_from_teams(teams: Iterable[Team[S]], size: int) -> list[Row[S]]:
    """Form rows for a saved result, padded with empty rows to ``size``."""
    rows: list[Row[S]] = []
    previous = None
    for team in sorted(teams, key=lambda t: t.place):
        while len(rows) + 1 < team.place:  # an unknown place above this one
            rows.append(Row())
        rows.append(Row(team.schools, tied_with_above=previous == team.place))
        previous = team.place
    rows.extend(Row() for _ in range(size - len(rows)))
    return rows


def rows_needed(scored_places: int, participants: int) -> int:
    """Form rows for a discipline: every place that earns points (at least the podium), plus one
    for a shared place, but never more rows than schools taking part (and at least two)."""
    return max(2, min(participants, max(3, scored_places) + 1))


def check_rows(
    rows: Sequence[Row[S]], participants: Container[S], *, edition_live: bool, in_programme: bool
) -> list[Problem]:
    """Every problem of an entered result; empty when it can be saved.

    Codes: edition_not_live, not_in_programme, empty (no team at all), gap (an empty row above a
    filled one), tie_without_above (ex aequo on the first row or below an empty row),
    not_participant (school not taking part), twice (school in two rows or twice in one team).
    """
    problems: list[Problem] = []
    if not edition_live:
        problems.append(Problem("edition_not_live"))
    if not in_programme:
        problems.append(Problem("not_in_programme"))
    filled = [i for i, row in enumerate(rows, start=1) if row.schools]
    if not filled:
        problems.append(Problem("empty"))
    seen: dict[S, int] = {}
    for index, row in enumerate(rows, start=1):
        if not row.schools:
            if row.tied_with_above:
                continue  # an unticked empty row is harmless; a ticked empty one is ignored
            if filled and index < filled[-1]:
                problems.append(Problem("gap", index))
            continue
        if row.tied_with_above and index > 1 and not rows[index - 2].schools:
            problems.append(Problem("tie_without_above", index))
        for school in row.schools:
            if school not in participants:
                problems.append(Problem("not_participant", index, {"school": school}))
            if school in seen:
                problems.append(Problem("twice", index, {"school": school, "first_row": seen[school]}))
            else:
                seen[school] = index
    return problems


def check_teams(teams: Iterable[Team[S]]) -> list[Problem]:
    """Places given directly (imports, restores): after k teams share place p, the next is p + k."""
    problems: list[Problem] = []
    counts: dict[int, int] = {}
    for team in teams:
        counts[team.place] = counts.get(team.place, 0) + 1
    expected = 1
    for place in sorted(counts):
        if place < 1 or place < expected:
            problems.append(Problem("place_inside_tie", None, {"place": place}))
        expected = place + counts[place]
    return problems
