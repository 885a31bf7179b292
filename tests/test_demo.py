"""The demo: a fictional edition on a database of its own, whose results a simulated organiser enters
through the real write path; the app's own database is never touched."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
import sqlalchemy as sa

from cartel import create_app
from cartel.commands import demo
from cartel.core.clock import utcnow
from cartel.extensions import db
from cartel.models import AuditEntry, Discipline, Edition, Placement, PointAdjustment, ProgrammeEntry, ResultState, User
from cartel.words.typography import french
from cartel.write import backup

ACTIONS = {
    "start": "result.start",
    "provisional": "result.save",
    "final": "result.save",
    "correct": "result.save",
    "confirm": "result.confirm",
    "penalty": "adjustment.add",
    "match": "match.save",
    "decide": "tournament.decide",
}
# what a match or a decision writes besides its own line when it moves the discipline's places
DERIVED = "result.match"
ACTIONS_ON_MATCHES = ("match", "decide")
BANNER_FR = french("Démonstration : équipes et résultats fictifs, saisis automatiquement.")
BANNER_EN = "Demonstration: fictional teams and results, entered automatically."


def close(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def demo_app(app, tmp_path):
    """The demo built in a SQLite file of its own, beside the test's database (SQLite or PostgreSQL)."""
    built, _password = demo.prepare(tmp_path / "demo.sqlite3", app.config["SQLALCHEMY_DATABASE_URI"], create_app)
    yield built
    close(built)


def organiser_id() -> int:
    return db.session.scalar(sa.select(User.id).filter_by(email=demo.ORGANISER_EMAIL))


def expected_totals() -> dict[str, int]:
    """Each team's total worked out by hand from the script: points of its places, shared places
    earning the place's points, plus the penalty."""
    totals = {slug: 0 for slug, *_ in demo.TEAMS}
    for places in demo.final_results().values():
        for place, team in places:
            for slug in team:
                totals[slug] += demo.PLACE_POINTS[place - 1]
    totals[demo.PENALTY[0]] += int(demo.PENALTY[1])
    return totals


def test_the_demo_never_touches_the_real_database(app, live, tmp_path):
    now = utcnow()
    before = backup.dump(db.engine, now)["tables"]
    path = tmp_path / "elsewhere" / "demo.sqlite3"
    built, _password = demo.prepare(path, app.config["SQLALCHEMY_DATABASE_URI"], create_app)
    try:
        with built.app_context():
            lines = list(demo.simulate())
            assert len(lines) == len(demo.script()) and not [line for line in lines if "skipped" in line]
            edition = db.session.scalar(sa.select(Edition).filter_by(year=demo.YEAR))
            assert edition.status.value == "live"
            entries = db.session.scalars(sa.select(ProgrammeEntry).filter_by(edition_id=edition.id)).all()
            assert len(entries) == len(demo.PROGRAMME)
            assert {e.result_state for e in entries} == {ResultState.FINAL}
            writes = db.session.scalar(
                sa.select(sa.func.count(AuditEntry.id)).where(
                    AuditEntry.user_id == organiser_id(), AuditEntry.action != DERIVED
                )
            )
            assert writes == len(demo.script())
            assert str(built.config["SQLALCHEMY_DATABASE_URI"]).endswith(str(path.resolve()))
    finally:
        close(built)
    assert backup.dump(db.engine, now)["tables"] == before
    assert db.session.scalar(sa.select(Edition.year).where(Edition.year == demo.YEAR)) is None


def test_every_write_goes_through_the_real_path(demo_app):
    client = demo_app.test_client()
    page = f"/editions/{demo.YEAR}"
    etag = client.get(page).headers["ETag"]
    steps = demo.simulate()
    for step in demo.script():
        with demo_app.app_context():
            revision = db.session.scalar(sa.select(Edition.revision).filter_by(year=demo.YEAR))
            last_id = db.session.scalar(sa.select(sa.func.max(AuditEntry.id))) or 0
            version_of = sa.select(ProgrammeEntry.version).join(Discipline).where(Discipline.slug == step.target)
            version = db.session.scalar(version_of)
            line = next(steps)
            assert "skipped" not in line
            lines = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.id > last_id).order_by(AuditEntry.id))
            made = [(a.user_id, a.action) for a in lines]
            # one line per write; a match or a decision that moves the places adds the result's own
            derived = [(organiser_id(), DERIVED)] if step.action in ("match", "decide") and len(made) == 2 else []
            assert made == [(organiser_id(), ACTIONS[step.action]), *derived], made
            assert db.session.scalar(sa.select(Edition.revision).filter_by(year=demo.YEAR)) == revision + len(made)
            if version is not None:  # a discipline's result (not a penalty): one version more when it changed
                assert db.session.scalar(version_of) == version + (
                    1 if step.action not in ACTIONS_ON_MATCHES or derived else 0
                )
            db.session.remove()
        response = client.get(page)
        assert response.status_code == 200 and response.headers["ETag"] != etag
        assert client.get(page, headers={"If-None-Match": etag}).status_code == 200  # the old one is stale
        etag = response.headers["ETag"]
        assert client.get(page, headers={"If-None-Match": etag}).status_code == 304
    with pytest.raises(StopIteration):
        next(steps)

    with demo_app.app_context():
        entries = {
            e.discipline.slug: e
            for e in db.session.scalars(sa.select(ProgrammeEntry).options(sa.orm.joinedload(ProgrammeEntry.discipline)))
        }
        corrected = {slug for slug, e in entries.items() if e.corrected_at is not None}
        assert corrected == {
            s.target for s in demo.script() if s.action == "correct"
        }  # a confirmation is no correction
        confirmed = [a.entity_key for a in db.session.scalars(sa.select(AuditEntry).filter_by(action="result.confirm"))]
        assert sorted(confirmed) == sorted(f"{demo.YEAR}/{s.target}" for s in demo.script() if s.action == "confirm")
        tied = db.session.scalars(
            sa.select(Placement.place).join(Discipline).where(Discipline.slug == demo.TIED, Placement.place == 3)
        ).all()
        assert len(tied) == 2
        penalty = db.session.scalar(sa.select(PointAdjustment))
        assert (penalty.school.slug, penalty.points) == (demo.PENALTY[0], demo.PENALTY[1])

    ranking = client.get(f"/api/editions/{demo.YEAR}").get_json()["ranking"]
    assert not ranking["provisional"] and ranking["final_disciplines"] == ranking["total_disciplines"] == 18
    assert len(demo.TOURNAMENTS) >= 5  # four team sports and a racket sport's team ties in pools and brackets
    totals = expected_totals()
    assert {row["school"]["slug"]: row["points"] for row in ranking["rows"]} == totals
    points = [row["points"] for row in ranking["rows"]]
    assert points == sorted(points, reverse=True) and ranking["rows"][0]["rank"] == 1
    assert ranking["rows"][0]["school"]["slug"] == max(totals, key=totals.get)


def test_the_demo_edition_has_points_only_from_its_scheme(demo_app):
    """Nothing saved yet: everyone at 0, every discipline to come, the race not started."""
    ranking = demo_app.test_client().get(f"/api/editions/{demo.YEAR}").get_json()["ranking"]
    assert {row["points"] for row in ranking["rows"]} == {0} and len(ranking["rows"]) == len(demo.TEAMS)
    assert ranking["final_disciplines"] == 0 and ranking["total_disciplines"] == len(demo.PROGRAMME)
    with demo_app.app_context(), pytest.raises(demo.DemoError):
        demo.build()  # only into an empty database


def test_the_command_refuses_the_apps_own_database(app, runner, tmp_path):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite"):
        real = Path(sa.engine.make_url(url).database)
        size = real.stat().st_size
        result = runner.invoke(args=["demo", "--database", str(real)])
        assert result.exit_code == 1 and "the app's own database" in result.output
        assert real.exists() and real.stat().st_size == size
    assert demo.same_database("sqlite:////srv/x/../cartel.sqlite3", Path("/srv/cartel.sqlite3"))
    assert not demo.same_database("sqlite:////srv/cartel.sqlite3", Path("/srv/demo.sqlite3"))
    assert not demo.same_database("postgresql+psycopg://u@h/cartel", Path("/srv/cartel.sqlite3"))


def test_the_command_never_deletes_a_file_that_is_not_a_demo(runner, tmp_path):
    text = tmp_path / "notes.sqlite3"
    text.write_text("not a database")
    other = tmp_path / "other.sqlite3"
    with closing(sqlite3.connect(other)) as connection:
        connection.executescript(
            'CREATE TABLE edition (year INT); INSERT INTO edition VALUES (2026); CREATE TABLE "user" (email TEXT);'
        )
    for path in (text, other):
        before = path.read_bytes()
        result = runner.invoke(args=["demo", "--database", str(path)])
        assert result.exit_code == 1 and "not a demo database" in result.output
        assert path.read_bytes() == before


def test_the_command_recreates_the_demo_and_serves_it(app, runner, tmp_path, monkeypatch):
    path = tmp_path / "demo.sqlite3"
    earlier, _password = demo.prepare(path, app.config["SQLALCHEMY_DATABASE_URI"], create_app)
    with earlier.app_context():
        steps = demo.simulate()
        for _ in range(5):
            next(steps)
    close(earlier)
    served = {}

    def run_simple(host, port, application, **options):
        served.update(host=host, port=port, app=application, options=options)
        client = application.test_client()
        served["fr"] = client.get(f"/editions/{demo.YEAR}").get_data(as_text=True)
        served["en"] = client.get(f"/editions/{demo.YEAR}?lang=en").get_data(as_text=True)
        served["login"] = client.get("/login").get_data(as_text=True)
        with application.app_context():
            served["audits"] = db.session.scalar(
                sa.select(sa.func.count(AuditEntry.id)).where(AuditEntry.user_id.isnot(None))
            )

    monkeypatch.setattr(demo, "run_simple", run_simple)
    result = runner.invoke(args=["demo", "--database", str(path), "--port", "5099", "--interval", "60"])
    close(served["app"])
    assert result.exit_code == 0, result.output
    assert (served["host"], served["port"]) == ("127.0.0.1", 5099)
    assert served["options"] == {"threaded": True, "use_reloader": False}
    assert served["app"].config["CARTEL_DEMO"] is True and served["audits"] == 0  # started afresh
    for url in ("/", f"/editions/{demo.YEAR}", f"/editions/{demo.YEAR}/screen"):
        assert f"http://127.0.0.1:5099{url}\n" in result.output or f"http://127.0.0.1:5099{url} " in result.output
    assert demo.ORGANISER_EMAIL in result.output
    assert BANNER_FR in served["fr"] and BANNER_EN in served["en"] and BANNER_FR in served["login"]
    assert '<p class="demo-banner" role="note">' in served["fr"]  # a class, no inline style (CSP)


def test_the_banner_shows_on_the_demo_only(client, live, demo_app):
    assert "demo-banner" not in client.get("/").get_data(as_text=True)
    assert "demo-banner" not in client.get("/editions/2026").get_data(as_text=True)
    demo_client = demo_app.test_client()
    assert BANNER_FR in demo_client.get("/").get_data(as_text=True)
    assert BANNER_EN in demo_client.get("/?lang=en").get_data(as_text=True)
    assert BANNER_FR in demo_client.get("/records").get_data(as_text=True)
    assert BANNER_FR in demo_client.get("/nowhere").get_data(as_text=True)  # error pages too
    assert BANNER_FR in demo_client.get(f"/editions/{demo.YEAR}/screen").get_data(as_text=True)  # the big screen too
    assert BANNER_FR not in client.get("/editions/2026/screen").get_data(as_text=True)
