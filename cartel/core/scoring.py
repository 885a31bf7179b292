"""The points engine: placements and a points scheme in, a general ranking out.

Pure: no Flask, no SQLAlchemy. Points are exact fractions so that split ties add up.
Schools, disciplines and teams are identified by opaque hashable keys (slugs in practice).
"""

from __future__ import annotations

import enum
import itertools
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Generic, TypeVar

Key = Hashable
D = TypeVar("D", bound=Hashable)  # what identifies a discipline (an id, a slug)
S = TypeVar("S", bound=Hashable)  # what identifies a school


class TieRule(str, enum.Enum):
    """What schools sharing a place earn."""

    SHARED = "shared"  # each tied team gets the points of the shared place
    SPLIT = "split"  # the points of the places the tie covers are split equally


class SchemeError(ValueError):
    """A points scheme that cannot rank anything; ``code`` says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _checked_points(place_points: Iterable[Fraction | int]) -> tuple[Fraction, ...]:
    """Points per place, 1st first, as exact fractions; refused when they cannot rank anything."""
    points = tuple(Fraction(p) for p in place_points)
    if not points:
        raise SchemeError("empty", "a scheme gives points to at least the 1st place")
    if any(p < 0 for p in points):
        raise SchemeError("negative", "points per place cannot be negative")
    if any(a < b for a, b in itertools.pairwise(points)):
        raise SchemeError("increasing", "a better place cannot earn fewer points than a worse one")
    return points


@dataclass(frozen=True)
class PointsTable:
    """A discipline's own points per place (1st first), as its rulebook writes them.

    Places past the table earn its last value when ``beyond_last`` (a rulebook's "10th and
    beyond"), else nothing. The points are the discipline's as written: no weight applies.
    """

    place_points: tuple[Fraction, ...]
    beyond_last: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "place_points", _checked_points(self.place_points))
        object.__setattr__(self, "beyond_last", bool(self.beyond_last))

    def scored_places(self, participants: int) -> int:
        """How many places earn points: every one when the table goes on with a last value above 0,
        else the table's places (trailing zero places excluded)."""
        if self.beyond_last and self.place_points and self.place_points[-1] > 0:
            return participants
        n = len(self.place_points)
        while n and self.place_points[n - 1] == 0:
            n -= 1
        return n

    def points_for_place(self, place: int) -> Fraction:
        if place < 1:
            return Fraction(0)
        if place <= len(self.place_points):
            return self.place_points[place - 1]
        return self.place_points[-1] if self.beyond_last else Fraction(0)


@dataclass(frozen=True)
class ScoringScheme(Generic[D]):
    """Points per place (1st first), the tie rule and the tie-break order of the general ranking.

    ``tie_breaks`` lists places: (1, 2, 3) means "more 1st places, then more 2nd, then more 3rd".
    ``tables`` gives the disciplines (by key) that have their own points table; the others earn
    ``place_points`` times their weight. A joint team's points are shared equally between its schools.
    """

    place_points: tuple[Fraction, ...]
    tie_rule: TieRule = TieRule.SHARED
    tie_breaks: tuple[int, ...] = (1, 2, 3)
    tables: Mapping[D, PointsTable] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "place_points", _checked_points(self.place_points))
        object.__setattr__(self, "tie_rule", TieRule(self.tie_rule))
        object.__setattr__(self, "tie_breaks", tuple(int(p) for p in self.tie_breaks))
        object.__setattr__(self, "tables", dict(self.tables))
        if any(p < 1 for p in self.tie_breaks) or len(set(self.tie_breaks)) != len(self.tie_breaks):
            raise SchemeError("tie_breaks", "tie-breaks are distinct places, 1 or more")
        if not all(isinstance(t, PointsTable) for t in self.tables.values()):
            raise TypeError("a discipline's own table is a PointsTable")

    def points_for_place(self, place: int) -> Fraction:
        """Points of one place of the edition's table; places beyond it earn nothing."""
        return self.place_points[place - 1] if 1 <= place <= len(self.place_points) else Fraction(0)

    @property
    def scored_places(self) -> int:
        """How many places of the edition's table earn points (trailing zero places excluded)."""
        n = len(self.place_points)
        while n and self.place_points[n - 1] == 0:
            n -= 1
        return n


@dataclass(frozen=True)
class Finish(Generic[D, S]):
    """A team's place in one discipline. A team is one school or a joint team of several."""

    discipline: D
    place: int
    schools: tuple[S, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "schools", tuple(self.schools))
        if self.place < 1:
            raise ValueError("places start at 1")
        if not self.schools:
            raise ValueError("a team has at least one school")


@dataclass(frozen=True)
class Adjustment(Generic[S]):
    """A penalty (negative) or bonus (positive) for a school, with its reason."""

    school: S
    points: Fraction
    reason: str


@dataclass(frozen=True)
class RankingRow(Generic[S]):
    rank: int
    school: S
    points: Fraction
    placement_points: Fraction
    adjustment_points: Fraction
    medals: tuple[int, int, int]  # counts of 1st, 2nd and 3rd places


@dataclass(frozen=True)
class Ranking(Generic[D, S]):
    rows: tuple[RankingRow[S], ...]
    final_disciplines: int
    total_disciplines: int
    points_by_discipline: Mapping[D, Mapping[S, Fraction]] = field(default_factory=dict)

    @property
    def provisional(self) -> bool:
        """True while any discipline of the programme lacks a final result."""
        return self.final_disciplines < self.total_disciplines


def check_places(placements: Iterable[Finish[D, S]]) -> list[str]:
    """Problems with one discipline's places, as messages; empty when the places are consistent.

    Places follow the competition rule: after k teams share place p, the next place is p + k
    (1, 2, 2, 4). A school appears at most once.
    """
    problems: list[str] = []
    seen: set[S] = set()
    for p in placements:
        for school in p.schools:
            if school in seen:
                problems.append(f"school {school} is placed twice")
            seen.add(school)
    counts: dict[int, int] = defaultdict(int)
    for p in placements:
        counts[p.place] += 1
    expected = 1
    for place in sorted(counts):
        if place < expected:
            problems.append(f"place {place} cannot follow a tie covering it")
        expected = place + counts[place]
    return problems


def discipline_points(
    placements: Iterable[Finish[D, S]], scheme: ScoringScheme[D], weight: Fraction | int = 1
) -> dict[S, Fraction]:
    """Points each school earns in one discipline.

    A place earns the discipline's own table's points when ``scheme.tables`` has one for it (as
    written, whatever the weight), else the scheme's points times ``weight``. Ties: under SHARED each
    of the k teams at place p earns the points of p; under SPLIT they share equally the points of
    places p .. p+k-1. A joint team's points are divided equally between its schools.
    """
    placements = list(placements)
    disciplines = {p.discipline for p in placements}
    if len(disciplines) > 1:
        raise ValueError("the placements of one discipline at a time")
    table = scheme.tables.get(next(iter(disciplines))) if disciplines else None
    if table is not None:
        points_for_place, weight = table.points_for_place, Fraction(1)
    else:
        points_for_place, weight = scheme.points_for_place, Fraction(weight)
    groups: dict[int, list[Finish[D, S]]] = defaultdict(list)
    for p in placements:
        groups[p.place].append(p)
    result: dict[S, Fraction] = defaultdict(Fraction)
    for place, teams in groups.items():
        if scheme.tie_rule is TieRule.SPLIT and len(teams) > 1:
            covered = sum((points_for_place(place + i) for i in range(len(teams))), Fraction(0))
            team_points = covered / len(teams)
        else:
            team_points = points_for_place(place)
        if not team_points:
            continue
        team_points *= weight
        for team in teams:
            share = team_points if len(team.schools) == 1 else team_points / len(team.schools)
            for school in team.schools:
                result[school] += share
    return dict(result)


def rank_schools(
    schools: Iterable[S],
    placements: Iterable[Finish[D, S]],
    scheme: ScoringScheme[D],
    weights: Mapping[D, Fraction | int],
    final_disciplines: Iterable[D] = (),
    adjustments: Iterable[Adjustment[S]] = (),
) -> Ranking[D, S]:
    """The general ranking of an edition.

    Total = sum over the programme's disciplines of ``discipline_points`` (the discipline's own table,
    else the scheme's points x its weight) + adjustments. Order: more points;
    then, in the order of ``scheme.tie_breaks`` (by default 1st, 2nd, 3rd), more of that place.
    Schools still equal share the rank and the next rank is skipped (1, 2, 2, 4); within a shared
    rank they are listed by key. Placements in disciplines outside ``weights`` (the programme) are
    ignored. Every school of ``schools``, of a placement or of an adjustment appears.
    """
    placements = [p for p in placements if p.discipline in weights]
    adjustments = list(adjustments)
    by_discipline: dict[D, list[Finish[D, S]]] = defaultdict(list)
    for p in placements:
        by_discipline[p.discipline].append(p)

    everyone: set[S] = set(schools)
    placement_points: dict[S, Fraction] = defaultdict(Fraction)
    place_counts: dict[S, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    per_discipline: dict[D, Mapping[S, Fraction]] = {}
    for discipline, items in by_discipline.items():
        earned = discipline_points(items, scheme, weights[discipline])
        per_discipline[discipline] = earned
        for school, pts in earned.items():
            placement_points[school] += pts
        for p in items:
            for school in p.schools:
                everyone.add(school)
                place_counts[school][p.place] += 1
    adjustment_points: dict[S, Fraction] = defaultdict(Fraction)
    for a in adjustments:
        everyone.add(a.school)
        adjustment_points[a.school] += Fraction(a.points)

    keys: dict[S, tuple[Fraction | int, ...]] = {
        school: (
            -(placement_points[school] + adjustment_points[school]),
            *(-place_counts[school][p] for p in scheme.tie_breaks),
        )
        for school in everyone
    }
    ordered = sorted(everyone, key=lambda s: (keys[s], str(s)))
    rows: list[RankingRow[S]] = []
    for index, school in enumerate(ordered):
        rank = rows[-1].rank if rows and keys[rows[-1].school] == keys[school] else index + 1
        counts = place_counts[school]
        rows.append(
            RankingRow(
                rank=rank,
                school=school,
                points=placement_points[school] + adjustment_points[school],
                placement_points=placement_points[school],
                adjustment_points=adjustment_points[school],
                medals=(counts[1], counts[2], counts[3]),
            )
        )
    finals = set(final_disciplines) & set(weights)
    return Ranking(
        rows=tuple(rows),
        final_disciplines=len(finals),
        total_disciplines=len(weights),
        points_by_discipline=per_discipline,
    )


def medal_counts(placements: Iterable[Finish[D, S]]) -> dict[S, tuple[int, int, int]]:
    """Counts of 1st, 2nd and 3rd places per school (each school of a joint team counts)."""
    counts: dict[S, list[int]] = defaultdict(lambda: [0, 0, 0])
    for p in placements:
        if p.place <= 3:
            for school in p.schools:
                counts[school][p.place - 1] += 1
    return {school: (c[0], c[1], c[2]) for school, c in counts.items()}


def format_points(points: Fraction) -> str:
    """Points for display: whole numbers as such, others with up to two decimals."""
    if points.denominator == 1:
        return str(points.numerator)
    return f"{float(points):.2f}".rstrip("0").rstrip(".")


# --- a scheme or a table as an administrator types it -------------------------------------------

MAX_PLACES = 100
MAX_POINTS = 10_000
MAX_DECIMALS = 6  # digits after the point a place's points may have


def _parse_points(points_text: str) -> tuple[Fraction, ...]:
    """'24 18 14' (or '10; 7,5') -> exact points; raises ValueError/SchemeError("too_large")."""
    words = [p.strip() for p in points_text.replace(";", " ").split() if p.strip()]
    if len(words) > MAX_PLACES or any(len(w) > 12 for w in words):
        raise SchemeError("too_large", "too many places or digits")
    return tuple(_parse_one(w.replace(",", ".")) for w in words)


def _parse_one(word: str) -> Fraction:
    """One place's points: '7.5', '10', '50/3'. Bounds are checked before the exact value is made:
    Fraction('1e99999999') would compute a hundred-million-digit number (minutes of a worker) first."""
    if "/" in word:  # a ratio of two integers of at most 12 digits in all: cheap to make
        value = Fraction(word)
    else:
        try:
            number = Decimal(word)
        except InvalidOperation:
            raise ValueError(f"not a number of points: {word!r}") from None
        exponent = number.as_tuple().exponent
        if not number.is_finite() or not isinstance(exponent, int):
            raise ValueError(f"not a number of points: {word!r}")  # NaN, Infinity, as Fraction says
        if number < 0:
            raise SchemeError("negative", "points cannot be negative")
        if number > MAX_POINTS or exponent < -MAX_DECIMALS:
            raise SchemeError("too_large", "points out of bounds")
        value = Fraction(number)
    if value > MAX_POINTS:
        raise SchemeError("too_large", "points out of bounds")
    return value


def parse_scheme(points_text: str, tie_rule: str, tie_breaks_text: str) -> ScoringScheme[D]:
    """'10, 7, 5, 3' + 'shared' + '1,2,3' -> a scheme; raises ValueError/SchemeError with the reason.

    Sane bounds: at most MAX_PLACES places of at most MAX_POINTS points, tie-breaks among those places.
    The scheme has no discipline's own table yet, so it fits any kind of discipline key.
    """
    breaks_words = tie_breaks_text.replace(",", " ").split()
    if not all(w.isascii() and w.isdigit() and len(w) <= 3 and 1 <= int(w) <= MAX_PLACES for w in breaks_words):
        raise SchemeError("tie_breaks", "tie-breaks are places from 1 to MAX_PLACES")
    points = _parse_points(points_text)
    breaks = tuple(int(p) for p in breaks_words)
    return ScoringScheme(points, TieRule(tie_rule), breaks)


def parse_table(points_text: str, beyond_last: bool) -> PointsTable:
    """A discipline's own table as a rulebook writes it: '24 18 14 12 10 8 6 4 2 1', places past it
    earning its last value (``beyond_last``) or nothing. Same bounds as a scheme; raises
    ValueError/ZeroDivisionError/SchemeError with the reason."""
    return PointsTable(_parse_points(points_text), beyond_last)
