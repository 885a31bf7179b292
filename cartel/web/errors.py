"""Error pages that say, in the reader's language, what went wrong and what to do; the API answers JSON."""

from __future__ import annotations

from contextlib import suppress

import sqlalchemy as sa
from flask import Flask, Response, current_app, flash, g, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from cartel import database
from cartel.extensions import db, login_manager

RETRY_AFTER = 30  # seconds: how long a reader or a client should wait when the database is unavailable


def _pages() -> dict[int, tuple[str, str, str]]:
    """Each status's title, what happened and what to do."""
    return {
        400: (_("Bad request"), _("The request could not be understood."), _("Go back and try again.")),
        403: (
            _("Not allowed"),
            _("Your account or entry link does not allow this."),
            _("If you need it, ask the organisers."),
        ),
        404: (
            _("Not found"),
            _("This page does not exist."),
            _("Check the address, or start again from the standings."),
        ),
        405: (
            _("Not possible"),
            _("This address does not take this kind of request."),
            _("Use the links and buttons of the pages."),
        ),
        409: (
            _("Not possible now"),
            _("This cannot be done in the current state of the edition."),
            _("Reload the page to see where things stand, then try again."),
        ),
        410: (_("Gone"), _("This link can no longer be used."), _("Ask the organisers for a new one.")),
        413: (
            _("Too large"),
            _("What was sent is too large: files up to 5 MB are accepted."),
            _("Send a smaller file."),
        ),
        429: (
            _("Too many requests"),
            _("Too many requests came from your connection in a short time."),
            _("Wait a minute, then try again."),
        ),
        500: (
            _("Something went wrong"),
            _("The server met an unexpected error."),
            _("Try again in a moment; if it happens again, tell the organisers."),
        ),
        503: (
            _("Service unavailable"),
            _(
                "The results cannot be read or saved at the moment: the database does not answer or does "
                "not accept changes."
            ),
            _("Try again in a moment. If you were saving something, check then that it was saved."),
        ),
    }


def error_page(error: HTTPException) -> tuple[str, int, list[tuple[str, str]]]:
    """The translated page of an HTTP error; a description given to ``abort()`` says what happened."""
    code = error.code or 500
    title, message, advice = _pages().get(
        code,
        (_("Error %(code)s", code=code), _("The request could not be completed."), _("Go back and try again.")),
    )
    if error.description and error.description != type(error).description:
        message = error.description
    wait = getattr(error, "retry_after", None)
    if code == 429 and isinstance(wait, int):
        advice = ngettext("Wait %(num)d second, then try again.", "Wait %(num)d seconds, then try again.", wait)
    page = render_template("error.html", code=code, title=title, message=message, advice=advice)
    return page, code, _headers(error)


def register(app: Flask) -> None:
    @app.errorhandler(401)
    def unauthorized(error) -> ResponseReturnValue:
        flash(_("This page is for organisers: log in to continue."), "info")
        return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))

    @app.errorhandler(CSRFError)
    def csrf_error(error) -> tuple[str, int]:
        message = _("The form has expired: reload the page and enter it again.")
        return render_template("error.html", code=400, title=_("Form expired"), message=message), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        if request.path.startswith("/api/"):
            return api_error(error)
        if error.code is None or error.code < 400 or error.code == 401:
            return error
        return error_page(error)

    with app.app_context():
        driver_error = db.engine.dialect.loaded_dbapi.Error  # the driver's own, raised by the revision reader

    @app.errorhandler(sa.exc.DBAPIError)
    @app.errorhandler(sa.exc.TimeoutError)
    @app.errorhandler(driver_error)
    def database_error(error: Exception) -> ResponseReturnValue:
        """A database that cannot be reached or written (see cartel.database.unavailable) is a 503 that
        says to come back; any other database error is a bug, raised again for the 500 handler."""
        if not database.unavailable(error):
            raise error
        cause = error.orig if isinstance(error, sa.exc.DBAPIError) else error  # without the statement's values
        current_app.logger.error("database unavailable, %s %s answered 503: %r", request.method, request.path, cause)
        return unavailable_page()

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError) -> ResponseReturnValue:
        """An unhandled exception, which Flask has already logged with its traceback (or an abort(500)).
        The request's transaction is rolled back first: the page reads the database (who is logged in).
        A database that became unavailable while another error page was drawn is still a 503."""
        if error.original_exception is not None and database.unavailable(error.original_exception):
            return unavailable_page()
        db.session.rollback()
        if request.path.startswith("/api/"):
            return api_error(error)
        return error_page(error)


def unavailable_page() -> ResponseReturnValue:
    """The 503 of a database that cannot be used, made without it: the transaction is dropped (a lost
    connection may fail even its rollback) and the page is drawn for a visitor who is not logged in, since
    knowing who is logged in would ask the database again (the account behind the session cookie)."""
    with suppress(Exception):  # nothing more to learn: the page says the database is unavailable
        db.session.rollback()
    g._login_user = login_manager.anonymous_user()  # Flask-Login's current_user, without its user loader
    if request.path.startswith("/api/"):
        description = "The database cannot be reached or does not accept changes at the moment: try again later."
        return api_error(ServiceUnavailable(description, retry_after=RETRY_AFTER))
    return error_page(ServiceUnavailable(retry_after=RETRY_AFTER))


def _headers(error: HTTPException) -> list[tuple[str, str]]:
    """The headers an error carries besides its body's type: Retry-After, Allow..."""
    return [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]


def api_error(error: HTTPException) -> tuple[Response, int, list[tuple[str, str]]]:
    """The API answers errors in JSON, never with an HTML page."""
    code = error.code or 500
    message = error.description if error.description != type(error).description else error.name
    if code == 404 and message == error.name:
        message = "No such endpoint: /api/openapi.json lists them."
    return jsonify(error={"status": code, "message": message}), code, _headers(error)
