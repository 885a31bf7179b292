"""Fixtures: an app on a migrated database (SQLite by default, PostgreSQL when
CARTEL_TEST_DATABASE_URL is set), a client, a CLI runner and factories. Plain helpers are in
tests/helpers.py; the browser's fixtures in tests/browser/conftest.py."""

from __future__ import annotations

import shutil
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade

from cartel import create_app
from cartel.core import podium
from cartel.extensions import db
from cartel.models import (
    Category,
    Discipline,
    Edition,
    EditionStatus,
    HistoryRevision,
    OfficialStanding,
    Participation,
    Placement,
    PlacementMember,
    PointAdjustment,
    PointsScheme,
    ProgrammeEntry,
    ResultState,
    School,
    Sport,
)
from cartel.write.audit import Actor
from cartel.write.penalties import add_adjustment
from cartel.write.results import save_result
from tests.helpers import INJECTION, PASSWORD, POSTGRES_URL, SEEDS, config_for, login


@pytest.fixture(scope="session")
def template_database(tmp_path_factory):
    """Run the migrations once: a SQLite file to copy, or the PostgreSQL test database."""
    if POSTGRES_URL:
        app = create_app(config_for(POSTGRES_URL))
        with app.app_context():
            db.drop_all()
            with db.engine.begin() as conn:
                conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
            upgrade()
            db.session.remove()
            db.engine.dispose()
        return POSTGRES_URL
    path = tmp_path_factory.mktemp("template") / "cartel.sqlite3"
    app = create_app(config_for(f"sqlite:///{path}"))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return path


class RequestClient(FlaskClient):
    """A test client whose every request runs in an app context of its own, as in production: nothing a
    request caches in ``g`` (the user, the locale) or in its database session outlives it, although the
    test keeps a context for its own set-up and checks. What the test wrote is committed first, as a
    user only ever sees committed data."""

    def open(self, *args, **kwargs):
        if has_app_context():  # a test's own thread (not one it started to send requests in parallel)
            db.session.commit()
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def app(template_database, tmp_path):
    if POSTGRES_URL:
        url = POSTGRES_URL
    else:
        copy = tmp_path / "cartel.sqlite3"
        shutil.copy(template_database, copy)
        url = f"sqlite:///{copy}"
    app = create_app(config_for(url))
    app.test_client_class = RequestClient
    with app.app_context():
        yield app
        db.session.remove()
        if POSTGRES_URL:
            tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            with db.engine.begin() as conn:
                conn.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
                conn.execute(sa.insert(HistoryRevision).values(id=HistoryRevision.ROW_ID, revision=1))  # as migrated
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def seeded(app):
    from cartel.write.seeding import load_seeds

    load_seeds(SEEDS)
    db.session.commit()
    return app


# --- factories --------------------------------------------------------------------------------


@pytest.fixture
def make_school(app):
    def make(slug: str, name: str | None = None) -> School:
        school = School(slug=slug, name=name or slug.replace("-", " ").title(), short_name=slug[:10], country="FR")
        db.session.add(school)
        db.session.flush()
        return school

    return make


@pytest.fixture
def make_discipline(app):
    def make(slug: str, category: Category = Category.OPEN) -> Discipline:
        sport = db.session.scalar(sa.select(Sport).filter_by(slug=slug)) or Sport(
            slug=slug, name_fr=slug.title(), name_en=slug.title()
        )
        discipline = Discipline(slug=f"{slug}-{category.value}", sport=sport, category=category)
        db.session.add(discipline)
        db.session.flush()
        return discipline

    return make


@pytest.fixture
def make_edition(app):
    def make(
        year: int,
        number: int | None = None,
        *,
        host: School | None = None,
        status: EditionStatus = EditionStatus.FINISHED,
        schools=(),
        disciplines=(),
        place_points=(10, 6, 4),
        tie_rule="shared",
    ) -> Edition:
        edition = Edition(year=year, number=number, host=host, status=status)
        db.session.add(edition)
        edition.participations = [Participation(school=s) for s in schools]
        edition.programme = [
            ProgrammeEntry(discipline=d, weight=Decimal(1), result_state=ResultState.FINAL, version=1)
            for d in disciplines
        ]
        if place_points is not None:
            edition.scheme = PointsScheme(place_points=list(place_points), tie_rule=tie_rule, tie_breaks=[1, 2, 3])
        db.session.flush()
        return edition

    return make


@pytest.fixture
def place(app):
    def make(edition: Edition, discipline: Discipline, place: int, *schools: School) -> Placement:
        placement = Placement(edition_id=edition.id, discipline_id=discipline.id, place=place)
        placement.members = [
            PlacementMember(edition_id=edition.id, discipline_id=discipline.id, school_id=s.id) for s in schools
        ]
        db.session.add(placement)
        db.session.flush()
        return placement

    return make


@pytest.fixture
def adjust(app):
    def make(edition: Edition, school: School, points: int, reason: str) -> PointAdjustment:
        adjustment = PointAdjustment(edition_id=edition.id, school_id=school.id, points=Decimal(points), reason=reason)
        db.session.add(adjustment)
        db.session.flush()
        return adjustment

    return make


@pytest.fixture
def official(app):
    def make(edition: Edition, school: School, rank: int | None, points: int | None) -> OfficialStanding:
        row = OfficialStanding(
            edition_id=edition.id, school_id=school.id, rank=rank, points=None if points is None else Decimal(points)
        )
        db.session.add(row)
        db.session.flush()
        return row

    return make


@pytest.fixture
def make_user(app):
    from cartel.models import Role, User

    def make(email: str, role: str = "organiser", password: str = PASSWORD, disciplines=()) -> User:
        user = User(email=email, role=Role(role), disciplines=list(disciplines))
        user.set_password(password)
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def live(app, make_school, make_discipline, make_edition):
    """A live edition: four schools, three disciplines, 10/6/4/2 points, shared-place rule."""
    from types import SimpleNamespace

    schools = [
        make_school(slug, name)
        for slug, name in [
            ("ales", "IMT Mines Alès"),
            ("albi", "IMT Mines Albi"),
            ("nancy", "Mines Nancy"),
            ("douai", "IMT Nord Europe"),
        ]
    ]
    hb, fb, swim = (
        make_discipline("handball", Category.MEN),
        make_discipline("football", Category.WOMEN),
        make_discipline("swimming"),
    )
    other = make_discipline("chess")
    edition = make_edition(
        2026, 51, status=EditionStatus.LIVE, schools=schools, disciplines=[hb, fb, swim], place_points=(10, 6, 4, 2)
    )
    for entry in edition.programme:
        entry.result_state, entry.version = ResultState.PENDING, 0
    db.session.commit()
    return SimpleNamespace(
        edition=edition,
        schools=schools,
        hb=hb,
        fb=fb,
        swim=swim,
        other=other,
        ales=schools[0],
        albi=schools[1],
        nancy=schools[2],
        douai=schools[3],
    )


@pytest.fixture
def admin(client, make_user, live):
    make_user("admin@example.org", role="admin")
    login(client, "admin@example.org")
    return client


@pytest.fixture
def organiser(client, make_user, live):
    make_user("orga@example.org")
    login(client, "orga@example.org")
    return client


@pytest.fixture
def edition(app, make_school, make_discipline, make_edition):
    """A live edition with a 3-way tie for 1st under the split rule (20/3 points each), a joint team,
    a penalty and a school whose name looks like a formula."""
    schools = [
        make_school(slug, name)
        for slug, name in [
            ("ales", "IMT Mines Alès"),
            ("albi", "IMT Mines Albi"),
            ("nancy", "Mines Nancy"),
            ("evil", INJECTION),
        ]
    ]
    hb, fb, swim = (
        make_discipline("handball", Category.MEN),
        make_discipline("football", Category.WOMEN),
        make_discipline("swimming"),
    )
    edition = make_edition(
        2026,
        51,
        status=EditionStatus.LIVE,
        schools=schools,
        disciplines=[hb, fb, swim],
        place_points=(10, 6, 4, 2),
        tie_rule="split",
    )
    for entry in edition.programme:
        entry.result_state, entry.version = ResultState.PENDING, 0
    db.session.commit()

    def save(discipline, teams, state):
        entry = next(e for e in edition.programme if e.discipline_id == discipline.id)
        save_result(
            edition,
            entry,
            [podium.Team(p, t) for p, t in teams],
            ResultState(state),
            Actor(),
            expected_version=entry.version,
            submission_key=None,
        )

    save(hb, [(1, ("ales",)), (1, ("albi",)), (1, ("nancy",)), (4, ("evil",))], "final")
    save(fb, [(1, ("nancy", "evil")), (2, ("ales",))], "provisional")
    add_adjustment(edition, schools[1], Decimal("-1.5"), "=cmd|' /C calc'!A0", Actor())
    db.session.commit()
    db.session.remove()
    return app
