"""What a reader sees when something goes wrong, in French by default and in English: error pages that
say what happened, what to do and lead back (500 included), and WTForms' own form errors."""

from __future__ import annotations

import html
import logging
import re

import pytest
from flask import abort

from cartel.extensions import db
from cartel.models import School
from tests.helpers import text


@pytest.fixture(autouse=True)
def failing_routes(app):
    """Test-only routes that end in an error. Exceptions are not propagated to the test, as in
    production: an unhandled one becomes the 500 page."""
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/test/abort/<int:code>")
    def aborts(code: int):
        abort(code)

    @app.route("/test/busy")
    def busy():
        abort(429, retry_after=30)

    @app.route("/test/crash")
    @app.route("/api/test/crash")
    def crash():
        raise RuntimeError("the bug under test")

    @app.route("/test/failed-write")
    def failed_write():
        db.session.add(School(slug="ales", name="Twice", short_name="Twice", country="FR"))
        db.session.flush()  # the slug is taken: IntegrityError, and the transaction is dead until rolled back

    return app


PAGES = {
    404: (
        "/no-such-page",
        ("Introuvable", "Cette page n'existe pas.", "Vérifiez l'adresse, ou repartez du classement."),
        ("Not found", "This page does not exist.", "Check the address, or start again from the standings."),
    ),
    409: (
        "/test/abort/409",
        (
            "Impossible pour l'instant",
            "Ce n'est pas possible dans l'état actuel de l'édition.",
            "Rechargez la page pour voir où en sont les choses, puis réessayez.",
        ),
        (
            "Not possible now",
            "This cannot be done in the current state of the edition.",
            "Reload the page to see where things stand, then try again.",
        ),
    ),
    410: (
        "/test/abort/410",
        ("Expiré", "Ce lien ne peut plus être utilisé.", "Demandez-en un nouveau aux organisateurs."),
        ("Gone", "This link can no longer be used.", "Ask the organisers for a new one."),
    ),
    429: (
        "/test/abort/429",
        (
            "Trop de requêtes",
            "Votre connexion a envoyé trop de requêtes en peu de temps.",
            "Patientez une minute, puis réessayez.",
        ),
        (
            "Too many requests",
            "Too many requests came from your connection in a short time.",
            "Wait a minute, then try again.",
        ),
    ),
    500: (
        "/test/crash",
        (
            "Une erreur s'est produite",
            "Le serveur a rencontré une erreur inattendue.",
            "Réessayez dans un instant ; si cela se reproduit, prévenez les organisateurs.",
        ),
        (
            "Something went wrong",
            "The server met an unexpected error.",
            "Try again in a moment; if it happens again, tell the organisers.",
        ),
    ),
}


@pytest.mark.parametrize("code", sorted(PAGES))
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_an_error_page_says_what_happened_and_what_to_do_in_the_readers_language(client, code, lang):
    path, french, english = PAGES[code]
    response = client.get(path + ("?lang=en" if lang == "en" else ""))
    assert response.status_code == code
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    title, happened, advice = french if lang == "fr" else english
    assert f'<html lang="{lang}">' in page
    assert html.unescape(re.search(r"<title>(.*?)</title>", page).group(1)) == f"{title} ({code}) · Cartel"
    back = "Retour au classement" if lang == "fr" else "Back to the standings"
    assert f"{title} {happened} {advice} {back}" in text(response)
    assert '<a href="/">' in page.split("<main", 1)[1]


def test_a_known_wait_is_said_and_sent_as_retry_after(client):
    response = client.get("/test/busy")
    assert response.status_code == 429 and response.headers["Retry-After"] == "30"
    assert "Patientez 30 secondes, puis réessayez." in text(response)
    assert "Wait 30 seconds, then try again." in text(client.get("/test/busy?lang=en"))


def test_an_unhandled_exception_is_logged_with_its_traceback(client, caplog):
    with caplog.at_level(logging.ERROR):
        assert client.get("/test/crash").status_code == 500
    crashes = [r for r in caplog.records if r.exc_info and isinstance(r.exc_info[1], RuntimeError)]
    assert [str(r.exc_info[1]) for r in crashes] == ["the bug under test"]
    assert "the bug under test" not in client.get("/test/crash").get_data(as_text=True)  # never shown


def test_the_api_answers_its_500_in_json(client):
    response = client.get("/api/test/crash")
    assert response.status_code == 500 and response.mimetype == "application/json"
    assert response.get_json() == {"error": {"status": 500, "message": "Internal Server Error"}}


def test_after_a_failed_write_the_500_page_still_knows_who_is_logged_in(admin):
    # the page reads the logged-in account from the database: the failed transaction is rolled back first
    response = admin.get("/test/failed-write")
    assert response.status_code == 500
    assert "Une erreur s'est produite" in text(response)
    assert "admin@example.org" in response.get_data(as_text=True)
    assert admin.get("/admin/schools").status_code == 200  # and the next request works


def test_401_still_leads_to_the_login_page(client):
    response = client.get("/admin/schools")
    assert response.status_code == 302 and response.location.startswith("/login?next=")


BAD_EDITION = {
    "edition-year": "1800",
    "edition-number": "x",
    "edition-start_date": "not a date",
    "edition-delegation_count": "0",
}


def test_wtforms_own_messages_are_in_french(admin):
    edition = text(admin.post("/admin/editions/new", data=BAD_EDITION))
    assert "Année Le nombre doit être compris entre 1950 et 2200." in edition
    assert "Numéro (vide si annulée) N'est pas un entier valide." in edition
    assert "Premier jour N'est pas une date valide." in edition
    account = text(admin.post("/admin/users", data={"email": "nope", "role": "admin", "password": "short"}))
    assert "E-mail Adresse électronique non valide." in account
    assert "La longueur du champ doit être comprise entre 10 et 200 caractères." in account
    school = text(admin.post("/admin/schools", data={"slug": "", "name": "", "short_name": "x", "country": "FR"}))
    assert "Adresse courte (slug) Ce champ est requis." in school
    assert "This field is required" not in school


def test_wtforms_own_messages_are_in_english_on_request(admin):
    edition = text(admin.post("/admin/editions/new?lang=en", data=BAD_EDITION))
    assert "Year Number must be between 1950 and 2200." in edition
    assert "Number (empty if cancelled) Not a valid integer value." in edition
    assert "First day Not a valid date value." in edition
    account = text(admin.post("/admin/users?lang=en", data={"email": "nope", "role": "admin", "password": "short"}))
    assert "Email Invalid email address." in account
    assert "Field must be between 10 and 200 characters long." in account
    school = text(
        admin.post("/admin/schools?lang=en", data={"slug": "", "name": "", "short_name": "x", "country": "FR"})
    )
    assert "Short address (slug) This field is required." in school
