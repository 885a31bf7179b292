"""The records engine: the history of all editions in, palmares, titles, streaks and records out.

Pure: no Flask, no SQLAlchemy. Each edition brings its standing (computed or as published,
possibly partial) and the known placings; what is unknown stays unknown and makes counts
"at least" rather than inventing a result. Schools that share a rank or a record are listed by
``order(school)``: ``str`` of the key by default, the school's name on the site.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from fractions import Fraction
from itertools import pairwise
from typing import Any, Generic, TypeAlias, TypeVar

Key = Hashable
S = TypeVar("S", bound=Hashable)  # what identifies a school
Order: TypeAlias = Callable[[S], Any]  # sort key of a school, for schools that share a rank or a record


@dataclass(frozen=True)
class StandingEntry(Generic[S]):
    school: S
    rank: int | None
    points: Fraction | None


@dataclass(frozen=True)
class Placing(Generic[S]):
    discipline: Key
    school: S
    place: int


@dataclass(frozen=True)
class EditionHistory(Generic[S]):
    """What is known of one edition. ``counts`` is False for editions not yet finished: being
    played when ``live``, else planned."""

    year: int
    number: int | None
    host: S | None
    cancelled: bool = False
    counts: bool = True
    live: bool = False
    standing: tuple[StandingEntry[S], ...] = ()
    programme: frozenset[Key] = frozenset()
    placings: tuple[Placing[S], ...] = ()

    @property
    def winners(self) -> tuple[S, ...]:
        return tuple(sorted((e.school for e in self.standing if e.rank == 1), key=str))

    @property
    def status(self) -> str:
        """ "cancelled", "finished", "live" or "planned"."""
        if self.cancelled:
            return "cancelled"
        if self.counts:
            return "finished"
        return "live" if self.live else "planned"


@dataclass(frozen=True)
class PriorTitles(Generic[S]):
    """Titles a school won before the recorded history starts (editions before ``before_year``)."""

    school: S
    before_year: int
    count: int
    source: str = ""


@dataclass(frozen=True)
class PalmaresEntry(Generic[S]):
    year: int
    number: int | None
    host: S | None
    cancelled: bool
    winners: tuple[S, ...]
    winner_points: Fraction | None
    status: str = "finished"  # "cancelled", "finished", "live" or "planned"


@dataclass(frozen=True)
class TitleCount(Generic[S]):
    school: S
    count: int
    at_least: bool  # True when some edition's winner is unknown in the span counted


@dataclass(frozen=True)
class PointsRecord(Generic[S]):
    points: Fraction
    holders: tuple[tuple[S, int], ...]  # (school, year), all joint holders


@dataclass(frozen=True)
class Streak(Generic[S]):
    school: S
    length: int
    first_year: int
    last_year: int
    at_least: bool  # the edition before the streak has no known winner


@dataclass(frozen=True)
class Records(Generic[S]):
    as_of_year: int | None
    palmares: tuple[PalmaresEntry[S], ...]
    titles: tuple[TitleCount[S], ...]
    record_points: PointsRecord[S] | None
    school_points_records: dict[S, PointsRecord[S]]
    longest_streaks: tuple[Streak[S], ...]
    current_streaks: tuple[Streak[S], ...]  # one per winner of the latest finished edition, longest first
    current_streak_unknown_since: int | None  # year of a finished edition whose winner is unknown
    podium_in_every_discipline: tuple[tuple[S, int, int], ...]  # (school, year, disciplines)
    most_disciplines_won: tuple[tuple[S, int, int], ...]  # (school, year, wins), joint holders
    editions_hosted: dict[S, list[int]]


def _counted(editions: Iterable[EditionHistory[S]], as_of_year: int | None) -> list[EditionHistory[S]]:
    chosen = [e for e in editions if as_of_year is None or e.year <= as_of_year]
    return sorted(chosen, key=lambda e: e.year)


def palmares(editions: Iterable[EditionHistory[S]], order: Order[S] = str) -> tuple[PalmaresEntry[S], ...]:
    """Winner and host of every edition, most recent first; an edition not finished has no winner
    yet and says whether it is live or planned."""
    rows = []
    for e in sorted(editions, key=lambda e: e.year, reverse=True):
        winners = tuple(sorted(e.winners, key=order)) if e.counts else ()
        points = next((s.points for s in e.standing if s.rank == 1), None) if winners else None
        rows.append(PalmaresEntry(e.year, e.number, e.host, e.cancelled, winners, points, e.status))
    return tuple(rows)


def _complete(span: list[EditionHistory[S]], from_first: bool) -> bool:
    """Whether every edition of ``span`` is recorded with its winner: no unknown winner, no missing
    edition number in between and, when ``from_first``, numbers starting at edition 1."""
    if any(not e.winners for e in span):
        return False
    numbers = sorted(e.number for e in span if e.number is not None)
    if from_first and (not numbers or numbers[0] != 1):
        return False
    return all(b == a + 1 for a, b in pairwise(numbers))


def title_counts(
    editions: Iterable[EditionHistory[S]],
    prior: Iterable[PriorTitles[S]],
    as_of_year: int | None = None,
    order: Order[S] = str,
) -> tuple[TitleCount[S], ...]:
    """Titles per school, most first, then by ``order``. A shared 1st place is a title for each winner.

    A prior count for titles before year Y replaces the editions before Y; it applies only once
    the history reaches Y. The count is exact when every edition it spans is recorded with its
    winner (no edition number missing) and, for a school without a prior count, the history
    starts at edition 1; otherwise it is "at least".
    """
    history = [e for e in _counted(editions, as_of_year) if e.counts and not e.cancelled]
    prior_by_school = {p.school: p for p in prior if as_of_year is None or p.before_year <= as_of_year}
    schools = set(prior_by_school) | {w for e in history for w in e.winners}
    counts = []
    for school in schools:
        p = prior_by_school.get(school)
        start = p.before_year if p else None
        span = [e for e in history if start is None or e.year >= start]
        won = sum(1 for e in span if school in e.winners)
        exact = _complete(span, from_first=p is None)
        counts.append(TitleCount(school, won + (p.count if p else 0), not exact))
    return tuple(sorted(counts, key=lambda t: (-t.count, order(t.school))))


def _points_holders(editions: list[EditionHistory[S]]) -> list[tuple[Fraction, S, int]]:
    return [
        (s.points, s.school, e.year)
        for e in editions
        if e.counts and not e.cancelled
        for s in e.standing
        if s.points is not None
    ]


def record_points(
    editions: Iterable[EditionHistory[S]], as_of_year: int | None = None, order: Order[S] = str
) -> PointsRecord[S] | None:
    """The highest points total of one school in one edition, with all joint holders (by year)."""
    known = _points_holders(_counted(editions, as_of_year))
    if not known:
        return None
    best = max(p for p, _, _ in known)
    holders = tuple(sorted(((s, y) for p, s, y in known if p == best), key=lambda h: (h[1], order(h[0]))))
    return PointsRecord(best, holders)


def school_points_records(
    editions: Iterable[EditionHistory[S]], as_of_year: int | None = None
) -> dict[S, PointsRecord[S]]:
    """Each school's own best points total (all editions where it reached it)."""
    by_school: dict[S, list[tuple[Fraction, int]]] = defaultdict(list)
    for points, school, year in _points_holders(_counted(editions, as_of_year)):
        by_school[school].append((points, year))
    result: dict[S, PointsRecord[S]] = {}
    for school, items in by_school.items():
        best = max(p for p, _ in items)
        result[school] = PointsRecord(
            best, tuple((school, y) for p, y in sorted(items, key=lambda i: i[1]) if p == best)
        )
    return result


def _runs(editions: list[EditionHistory[S]]) -> list[Streak[S]]:
    """Winning runs over consecutive edition numbers (cancelled editions have no number)."""
    numbered = {e.number: e for e in editions if e.number is not None and e.counts and not e.cancelled}
    runs: list[Streak[S]] = []
    for number in sorted(numbered):
        edition = numbered[number]
        for school in edition.winners:
            previous = numbered.get(number - 1)
            if previous is not None and school in previous.winners:
                continue  # not the start of a run
            length, n = 1, number
            while (nxt := numbered.get(n + 1)) is not None and school in nxt.winners:
                length, n = length + 1, n + 1
            at_least = number > 1 and (previous is None or not previous.winners)
            runs.append(Streak(school, length, edition.year, numbered[n].year, at_least))
    return runs


def streaks(
    editions: Iterable[EditionHistory[S]], as_of_year: int | None = None, order: Order[S] = str
) -> tuple[tuple[Streak[S], ...], tuple[Streak[S], ...], int | None]:
    """Longest winning streaks (all holders), the current streaks, and the year that hides them.

    A streak runs over consecutive edition numbers. It is "at least" when the edition before it
    is unrecorded or its winner unknown. The current streaks are those that include the latest
    finished edition, one for each of its winners (a shared title gives each its own), longest
    first; if that edition's winner is unknown, there is none and its year is returned instead.
    """
    history = _counted(editions, as_of_year)
    runs = _runs(history)
    longest: tuple[Streak[S], ...] = ()
    if runs:
        best = max(r.length for r in runs)
        longest = tuple(sorted((r for r in runs if r.length == best), key=lambda r: (r.first_year, order(r.school))))
    finished = [e for e in history if e.counts and not e.cancelled and e.number is not None]
    if not finished:
        return longest, (), None
    latest = finished[-1]
    if not latest.winners:
        return longest, (), latest.year
    current = sorted((r for r in runs if r.last_year == latest.year), key=lambda r: (-r.length, order(r.school)))
    return longest, tuple(current), None


def podium_in_every_discipline(
    editions: Iterable[EditionHistory[S]], as_of_year: int | None = None, order: Order[S] = str
) -> tuple[tuple[S, int, int], ...]:
    """(school, year, number of disciplines) for each school on the podium of every discipline
    of an edition's programme."""
    found = []
    for e in _counted(editions, as_of_year):
        if not e.counts or not e.programme:
            continue
        podiums: dict[S, set[Key]] = defaultdict(set)
        for p in e.placings:
            if p.place <= 3 and p.discipline in e.programme:
                podiums[p.school].add(p.discipline)
        for school, disciplines in podiums.items():
            if disciplines >= e.programme:
                found.append((school, e.year, len(e.programme)))
    return tuple(sorted(found, key=lambda f: (f[1], order(f[0]))))


def most_disciplines_won(
    editions: Iterable[EditionHistory[S]], as_of_year: int | None = None, order: Order[S] = str
) -> tuple[tuple[S, int, int], ...]:
    """The most 1st places of one school in one edition: (school, year, wins) for each holder."""
    wins: list[tuple[S, int, int]] = []
    for e in _counted(editions, as_of_year):
        if not e.counts:
            continue
        per_school: dict[S, set[Key]] = defaultdict(set)
        for p in e.placings:
            if p.place == 1:
                per_school[p.school].add(p.discipline)
        wins.extend((school, e.year, len(d)) for school, d in per_school.items())
    if not wins:
        return ()
    best = max(w for _, _, w in wins)
    return tuple(sorted((w for w in wins if w[2] == best), key=lambda w: (w[1], order(w[0]))))


def editions_hosted(editions: Iterable[EditionHistory[S]], as_of_year: int | None = None) -> dict[S, list[int]]:
    """Years each school hosted an edition that took place."""
    hosted: dict[S, list[int]] = defaultdict(list)
    for e in _counted(editions, as_of_year):
        if e.host is not None and not e.cancelled and e.counts:
            hosted[e.host].append(e.year)
    return dict(hosted)


def compute_records(
    editions: Iterable[EditionHistory[S]],
    prior: Iterable[PriorTitles[S]] = (),
    as_of_year: int | None = None,
    order: Order[S] = str,
) -> Records[S]:
    """Every record of the history, as it stood after ``as_of_year`` (None: today); schools sharing
    a rank or a record listed by ``order``."""
    editions = list(editions)
    prior = list(prior)
    longest, current, unknown_since = streaks(editions, as_of_year, order)
    return Records(
        as_of_year=as_of_year,
        palmares=palmares(_counted(editions, as_of_year), order),
        titles=title_counts(editions, prior, as_of_year, order),
        record_points=record_points(editions, as_of_year, order),
        school_points_records=school_points_records(editions, as_of_year),
        longest_streaks=longest,
        current_streaks=current,
        current_streak_unknown_since=unknown_since,
        podium_in_every_discipline=podium_in_every_discipline(editions, as_of_year, order),
        most_disciplines_won=most_disciplines_won(editions, as_of_year, order),
        editions_hosted=editions_hosted(editions, as_of_year),
    )
