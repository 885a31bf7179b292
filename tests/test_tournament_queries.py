"""A match save costs the same number of SQL queries however many matches its tournament has and however
many other disciplines of the edition are played as tournaments: it reads and writes its own discipline
(and bumps its own edition's revision) only."""

from __future__ import annotations

import sqlalchemy as sa

from cartel.core.tournament.presets import PRESETS
from cartel.core.tournament.rules import Side
from cartel.core.tournament.shapes import Shape
from cartel.core.tournament.sheet import Sheet
from cartel.core.tournament.spec import suggested
from cartel.extensions import db
from cartel.models import Category, Edition, EditionStatus, Match, MatchState, ProgrammeEntry
from cartel.read.tournaments import tournament_of
from cartel.write.audit import Actor
from cartel.write.tournaments import save_match, set_up
from cartel.write.unit import unit_of_work
from tests.helpers import QueryCounter

SPORTS = ["handball", "football", "basketball", "volleyball", "rugby", "ultimate"]
CEILING = 30


def played_edition(year, schools, disciplines, make_edition) -> Edition:
    edition = make_edition(year, year - 1975, status=EditionStatus.LIVE, schools=schools, disciplines=disciplines)
    for entry in edition.programme:
        entry.version = 0
    db.session.commit()
    for entry in edition.programme:
        spec = suggested([s.slug for s in schools], Shape.POOLS_THEN_BRACKETS)
        with unit_of_work():
            set_up(edition, entry, spec, PRESETS["handball"], Actor())
    return edition


def save_cost(edition: Edition, discipline_id: int, code: str) -> int:
    entry = db.session.scalar(sa.select(ProgrammeEntry).filter_by(edition_id=edition.id, discipline_id=discipline_id))
    match = db.session.scalar(sa.select(Match).filter_by(tournament_id=tournament_of(entry).id, code=code))
    version = match.version
    db.session.commit()
    db.session.expire_all()
    with QueryCounter(db.engine) as counter, unit_of_work():
        save_match(edition, entry, code, Sheet(Side(20), Side(18)), MatchState.FINAL, Actor(), expected_version=version)
    return counter.count


def test_a_match_save_costs_the_same_in_a_small_edition_and_in_twelve_disciplines_of_twelve_teams(
    app, make_school, make_discipline, make_edition
):
    disciplines = [make_discipline(SPORTS[k % 6], (Category.MEN, Category.WOMEN)[k // 6]) for k in range(12)]
    few = [make_school(f"few-{k}") for k in range(6)]
    many = [make_school(f"many-{k:02}") for k in range(12)]
    small = played_edition(2025, few, disciplines[:1], make_edition)
    big = played_edition(2026, many, disciplines, make_edition)
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Match).join(Match.tournament).filter_by(edition_id=big.id)
        )
        == 12 * 28
    )
    small_cost = save_cost(small, disciplines[0].id, "A-1.1")
    big_cost = save_cost(big, disciplines[0].id, "A-1.1")
    assert small_cost == big_cost <= CEILING, (small_cost, big_cost)
    # the last pool match, which gives the pool's ranks and so the bracket's teams, costs no more
    for code in ("A-2.1", "A-3.1"):
        last = save_cost(big, disciplines[0].id, code)
    assert last <= CEILING, last
