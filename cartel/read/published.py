"""What the public sees, computed at most once per revision in each process.

Pages and the API ask here; the first request after a change computes (through cartel.read.standings
and the pure engines), the others get the stored result. Rankings are stored per edition revision,
so the history pages recompute only the editions that changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from typing import cast

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import Session

from cartel import database
from cartel.core import race
from cartel.core import records as records_engine
from cartel.core.audit import AdjustmentSnapshot, ResultSnapshot
from cartel.extensions import db
from cartel.models import AuditEntry, Edition, School
from cartel.read.http_cache import cache
from cartel.read.standings import (
    EditionData,
    EditionStanding,
    History,
    Podium,
    build_standing,
    by_name,
    current_edition,
    load_editions,
    load_history,
    podiums,
)

LATEST = 10  # results shown in "latest results"


@dataclass(frozen=True)
class EditionView:
    """An edition as its public page shows it."""

    standing: EditionStanding
    podiums: tuple[Podium, ...]
    latest: tuple[Podium, ...]  # disciplines with a result, most recently saved first
    revision: int
    revised_at: dt.datetime | None
    race: tuple[race.Step[int], ...] = ()  # totals through the event; () when the audit trail does not explain them

    @property
    def edition(self) -> Edition:
        return self.standing.edition


def latest_results(all_podiums: tuple[Podium, ...], limit: int = LATEST) -> tuple[Podium, ...]:
    """Disciplines with a saved result, the most recently saved (or corrected, or confirmed) first."""
    saved = [p for p in all_podiums if p.entry.updated_at is not None and p.places]
    saved.sort(key=lambda p: (p.entry.updated_at, p.entry.id), reverse=True)
    return tuple(saved[:limit])


def standing(data: EditionData, schools: dict[int, School]) -> EditionStanding:
    """An edition's ranking, computed once per edition revision."""
    return cache().get(("standing", data.edition.id), data.edition.revision, lambda: build_standing(data, schools))


def known_standing(edition_id: int, revision: int) -> EditionStanding | None:
    """The standing this process computed for an edition at ``revision``, if it still has it."""
    found, value = cache().peek(("standing", edition_id), revision)
    return cast(EditionStanding, value) if found else None


@contextmanager
def _reading() -> Iterator[Session]:
    """A session of its own: what it loads outlives it, and no commit of the request expires it."""
    session = Session(database.read_only(db.engine), expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()


def edition_view(edition_id: int, revision: int) -> EditionView:
    def compute() -> EditionView:
        with _reading() as session:
            editions, schools = load_editions(Edition.id == edition_id, session)
            if not editions:
                abort(404)
            data = editions[0]
            ranking = standing(data, schools)
            recorded = any(e.updated_at is not None for e in data.programme)  # a result entered through the app
            steps = race_of(ranking, schools, session) if ranking.kind == "computed" and recorded else ()
        all_podiums = podiums(data, schools)
        return EditionView(
            ranking,
            all_podiums,
            latest_results(all_podiums),
            data.edition.revision,
            data.edition.revised_at,
            steps,
        )

    return cache().get(("edition", edition_id), revision, compute)


def race_of(ranking: EditionStanding, schools: dict[int, School], session: Session) -> tuple[race.Step[int], ...]:
    """The race of an edition from its audit trail (one query), if the trail explains the ranking."""
    data = ranking.data
    ids = {s.slug: s.id for s in schools.values()}
    rows = session.execute(
        sa.select(AuditEntry.at, AuditEntry.entity, AuditEntry.entity_key, AuditEntry.discipline_id, AuditEntry.after)
        .where(AuditEntry.edition_id == data.edition.id, AuditEntry.entity.in_(("result", "adjustment")))
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    events: list[race.Event[int, int]] = []
    for at, entity, key, discipline_id, after in rows:
        if entity == "result":
            result = ResultSnapshot.from_json(after)
            teams = result.places if result else ()
            places = tuple((p, tuple(ids[s] for s in team if s in ids)) for p, team in teams)
            events.append(race.ResultRecorded(at, discipline_id, places))
        else:
            adjustment = AdjustmentSnapshot.from_json(after)
            school = ids.get(adjustment.school, 0) if adjustment else 0
            points = Fraction(adjustment.points) if adjustment else None
            events.append(race.AdjustmentRecorded(at, key, school, points))
    weights = {e.discipline_id: Fraction(str(e.weight)) for e in data.programme}
    participants = [p.school_id for p in data.participants]
    assert data.scheme is not None  # the ranking is computed, which takes a scheme (build_standing)
    steps = race.replay(participants, data.scheme, weights, events)
    # a computed ranking knows every school's points
    totals = {r.school.id: r.points for r in ranking.rows if r.points is not None}
    return steps if race.ends_at(steps, totals) else ()


def history(revision: int) -> History:
    """Every edition with its standing; only editions whose revision changed are loaded and ranked again."""

    def compute() -> History:
        with _reading() as session:
            return load_history(build=standing, session=session, known=known_standing)

    return cache().get(("history",), revision, compute)


def records(revision: int, as_of: int | None = None) -> records_engine.Records:
    return cache().get(("records", as_of), revision, lambda: history(revision).records(as_of))


def current_view(revision: int) -> EditionView | None:
    """The edition the home page shows (the live one, else the latest that took place)."""

    def compute() -> EditionView | None:
        with _reading() as session:
            current = current_edition(session)
        return None if current is None else edition_view(*current)

    return cache().get(("current",), revision, compute)


def school_rows(history, school) -> list:
    """(standing, row) for each edition the school took part in, placed in, or hosted; newest first."""
    rows = []
    for standing in reversed(history.standings):
        row = next((r for r in standing.rows if r.school.id == school.id), None)
        took_part = any(p.school_id == school.id for p in standing.data.participants)
        if row or took_part or standing.edition.host_id == school.id:
            rows.append((standing, row))
    return rows


def counted_editions(history) -> list:
    """Editions the records can be shown "as of": finished and numbered, oldest first."""
    return [
        s.edition for s in history.standings if s.edition.number is not None and s.edition.status.value == "finished"
    ]


def as_of_years(revision: int) -> frozenset[int]:
    """The years ``as_of`` may name, kept per revision: each records request checks its parameter."""
    return cache().get(
        ("as-of-years",), revision, lambda: frozenset(e.year for e in counted_editions(history(revision)))
    )


def school_by_slug(history: History, slug: str) -> School | None:
    return next((s for s in history.schools.values() if s.slug == slug), None)


@dataclass(frozen=True)
class SchoolSummary:
    """A school as the list of schools shows it."""

    school: School
    editions: int  # editions it took part in, placed in or hosted
    titles: records_engine.TitleCount[int] | None
    best_rank: int | None  # its best rank in a general ranking, None when none is known
    best_years: tuple[int, ...]  # the years of that rank, oldest first
    hosted: tuple[int, ...]


def school_summaries(history: History, records: records_engine.Records[int]) -> list[SchoolSummary]:
    """Every school of the history, by name as a French reader sorts them."""
    titles = {t.school: t for t in records.titles}
    summaries = []
    for school in sorted(history.schools.values(), key=by_name):
        rows = school_rows(history, school)
        ranked = [(row.rank, standing.edition.year) for standing, row in rows if row is not None and row.rank]
        best = min((rank for rank, _ in ranked), default=None)
        summaries.append(
            SchoolSummary(
                school,
                len(rows),
                titles.get(school.id),
                best,
                tuple(sorted(year for rank, year in ranked if rank == best)),
                tuple(records.editions_hosted.get(school.id, [])),
            )
        )
    return summaries
