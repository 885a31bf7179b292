"""A database that cannot be reached or written: /healthz says so, every page and API answer is a 503 that
says to come back (in the reader's language, with Retry-After), nothing is half saved, and a bug in a
query stays a 500. On SQLite and on PostgreSQL."""

from __future__ import annotations

import html
import re

import pytest
import sqlalchemy as sa
from flask import Flask

from cartel import create_app, database
from cartel.extensions import db
from cartel.models import AuditEntry, HistoryRevision, School
from tests.helpers import POSTGRES_URL, config_for, places, podium_form, text

RETRY_AFTER = "30"


def unreachable_url(tmp_path) -> str:
    if POSTGRES_URL:
        return "postgresql+psycopg://cartel@127.0.0.1:1/cartel_test"  # nothing listens on port 1
    return f"sqlite:///{tmp_path / 'no-such-folder' / 'cartel.sqlite3'}"  # "unable to open database file"


def read_only_url(app: Flask) -> str:
    """The test database, opened read-only: as a file the process may not write, or a PostgreSQL database
    set to ``default_transaction_read_only`` (as a standby, or a database set read-only, refuses writes)."""
    url = sa.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "postgresql":
        return url.update_query_dict({"options": "-c default_transaction_read_only=on"}).render_as_string(False)
    return f"sqlite:///file:{url.database}?mode=ro&uri=true"


@pytest.fixture
def app_on(app):
    """An app on another database URL, its exceptions handled as in production (not raised to the test),
    with the test app's secret key: a session cookie made by the test app is valid there."""
    made: list[Flask] = []

    def make(url: str) -> Flask:
        other = create_app({**config_for(url), "PROPAGATE_EXCEPTIONS": False})
        made.append(other)
        return other

    yield make
    for other in made:
        with other.app_context():
            db.engine.dispose()


def copy_session(source, target) -> None:
    """Give ``target`` (a client of another app) the session cookie of ``source``."""
    cookie = source.get_cookie("session")
    target.set_cookie("session", cookie.value, domain=cookie.domain)


def assert_unavailable_page(response, lang: str = "fr") -> None:
    assert response.status_code == 503, response.get_data(as_text=True)[:2000]
    assert response.mimetype == "text/html"
    assert response.headers["Retry-After"] == RETRY_AFTER
    page = response.get_data(as_text=True)
    assert f'<html lang="{lang}">' in page
    title = "Service indisponible" if lang == "fr" else "Service unavailable"
    assert html.unescape(re.search(r"<title>(.*?)</title>", page).group(1)) == f"{title} (503) · Cartel"
    if lang == "fr":
        expected = (
            "Service indisponible Les résultats ne peuvent être ni lus ni enregistrés pour le moment : la base de "
            "données ne répond pas ou n'accepte pas de modification. Réessayez dans un instant. Si vous "
            "enregistriez quelque chose, vérifiez alors que c'est bien enregistré. Retour au classement"
        )
    else:
        expected = (
            "Service unavailable The results cannot be read or saved at the moment: the database does not answer "
            "or does not accept changes. Try again in a moment. If you were saving something, check then that it "
            "was saved. Back to the standings"
        )
    assert expected in text(response)


def assert_unavailable_json(response) -> None:
    assert response.status_code == 503 and response.mimetype == "application/json"
    assert response.headers["Retry-After"] == RETRY_AFTER
    assert response.get_json() == {
        "error": {
            "status": 503,
            "message": "The database cannot be reached or does not accept changes at the moment: try again later.",
        }
    }


# --- /healthz ---------------------------------------------------------------------------------------


def test_healthz_checks_a_write_and_leaves_no_trace(app, client):
    before = db.session.execute(sa.select(HistoryRevision.revision, HistoryRevision.revised_at)).one()
    response = client.get("/healthz")
    assert (response.status_code, response.text, response.headers["Cache-Control"]) == (200, "ok", "no-store")
    db.session.remove()
    assert db.session.execute(sa.select(HistoryRevision.revision, HistoryRevision.revised_at)).one() == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 0


def test_healthz_is_503_when_the_database_is_read_only(app, app_on):
    read_only = app_on(read_only_url(app)).test_client()
    response = read_only.get("/healthz")
    assert (response.status_code, response.text, response.headers["Cache-Control"]) == (
        503,
        "database unavailable",
        "no-store",
    )
    assert read_only.get("/editions/2026").status_code in (200, 404)  # reading still works: pages are served


def test_healthz_is_503_when_the_disk_of_an_sqlite_database_is_full(app, client, monkeypatch):
    if POSTGRES_URL:
        pytest.skip("PostgreSQL's disk is the server's")
    assert client.get("/healthz").status_code == 200
    monkeypatch.setattr(database, "MIN_FREE_BYTES", 1 << 62)  # more than any disk has free: a full disk
    assert client.get("/healthz").status_code == 503


def test_healthz_is_503_when_the_database_cannot_be_reached(app_on, tmp_path):
    assert app_on(unreachable_url(tmp_path)).test_client().get("/healthz").status_code == 503


# --- a database that cannot be reached ---------------------------------------------------------------

PAGES = ["/", "/editions", "/editions/2026", "/records", "/schools/ales", "/saisie/", "/editions/2026/ranking.csv"]
API = ["/api/editions", "/api/editions/2026", "/api/records", "/api/schools"]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_page_is_a_503_in_the_readers_language_when_the_database_cannot_be_reached(
    app_on, tmp_path, lang, caplog
):
    client = app_on(unreachable_url(tmp_path)).test_client()
    if lang == "en":
        client.set_cookie("cartel_lang", "en")
    for url in PAGES:
        assert_unavailable_page(client.get(url), lang)
    for url in API:
        assert_unavailable_json(client.get(url))
    assert "Traceback" not in client.get("/").get_data(as_text=True)
    assert any("database unavailable" in r.getMessage() for r in caplog.records)  # the operators are told


def test_a_logged_in_organiser_gets_the_503_page_not_a_500(app, app_on, organiser, tmp_path):
    """The session's account is looked up in the database by the login manager, before any view and again
    by the page's header: neither may turn the 503 into a 500."""
    down = app_on(unreachable_url(tmp_path)).test_client()
    copy_session(organiser, down)
    for url in ["/saisie/", "/saisie/handball-men", "/admin/", "/", "/editions/2026"]:
        assert_unavailable_page(down.get(url))
    assert_unavailable_page(down.post("/saisie/handball-men", data=podium_form("ales")))
    assert_unavailable_page(down.post("/logout"))
    # an error page of its own (here a 404) would say who is logged in: the database is asked, and unavailable
    assert_unavailable_page(down.get("/no-such-page"))


def test_logging_in_while_the_database_cannot_be_reached_is_a_503(app_on, tmp_path):
    down = app_on(unreachable_url(tmp_path)).test_client()
    assert_unavailable_page(down.post("/login", data={"email": "orga@example.org", "password": "x" * 12}))


# --- a database that cannot be written ---------------------------------------------------------------


def test_a_save_on_a_read_only_database_is_a_503_and_saves_nothing(app, app_on, organiser, live):
    read_only = app_on(read_only_url(app)).test_client()
    copy_session(organiser, read_only)
    assert read_only.get("/saisie/handball-men").status_code == 200  # reading works
    response = read_only.post("/saisie/handball-men", data=podium_form("ales", "albi"))
    assert_unavailable_page(response)
    assert places(live, live.hb) == []
    assert_unavailable_page(read_only.post("/login", data={"email": "orga@example.org", "password": "wrong" * 3}))
    # the same save once the database is writable again is applied
    assert organiser.post("/saisie/handball-men", data=podium_form("ales", "albi")).status_code == 303
    assert places(live, live.hb) == [(1, ("ales",)), (2, ("albi",))]


def test_a_write_on_a_full_sqlite_database_is_a_503_and_saves_nothing(app, client, make_school):
    """SQLite's "database or disk is full" (SQLITE_FULL), here from a size limit: a full disk says the same.
    The write needs new pages (a saved result usually fits in the pages there are, so a test route)."""
    if POSTGRES_URL:
        pytest.skip("SQLite's size limit")
    app.config["PROPAGATE_EXCEPTIONS"] = False
    school_id = make_school("ales").id
    db.session.commit()

    @app.post("/test/big-write")
    def big_write():
        db.session.execute(sa.update(School).values(name="x" * 100_000))
        db.session.commit()
        return "saved"

    db.session.remove()
    db.engine.dispose()
    # no more pages than it has now (the limit cannot go below the current size)
    sa.event.listen(db.engine, "connect", lambda conn, _record: conn.execute("PRAGMA max_page_count = 1"))
    assert_unavailable_page(client.post("/test/big-write"))
    assert db.session.get(School, school_id).name == "Ales"


# --- bugs stay bugs ---------------------------------------------------------------------------------


def test_a_wrong_query_is_still_a_500(app, client):
    """A missing table, a syntax error or a broken constraint are bugs: a 500, never "come back later"."""
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/test/wrong-query")
    @app.route("/api/test/wrong-query")
    def wrong_query():
        db.session.execute(sa.text("SELECT * FROM no_such_table"))

    response = client.get("/test/wrong-query")
    assert response.status_code == 500 and "Retry-After" not in response.headers
    assert client.get("/api/test/wrong-query").get_json()["error"]["status"] == 500
