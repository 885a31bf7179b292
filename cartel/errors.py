"""Error pages that say what went wrong in the user's language."""

from __future__ import annotations

from flask import Flask, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException


def _titles() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Bad request"), _("The request could not be understood.")),
        403: (_("Not allowed"), _("Your account or entry link does not allow this.")),
        404: (_("Not found"), _("This page does not exist.")),
        409: (_("Not possible now"), _("This cannot be done in the current state of the edition.")),
        410: (_("Gone"), _("This link can no longer be used.")),
        413: (_("Too large"), _("What was sent is too large: files up to 5 MB are accepted.")),
    }


def register(app: Flask) -> None:
    @app.errorhandler(401)
    def unauthorized(error):
        flash(_("This page is for organisers: log in to continue."), "info")
        return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        message = _("The form has expired: reload the page and enter it again.")
        return render_template("error.html", code=400, title=_("Form expired"), message=message), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if request.path.startswith("/api/"):
            return api_error(error)
        if error.code is None or error.code < 400 or error.code == 401:
            return error
        title, message = _titles().get(error.code, (error.name, error.description))
        if error.description and error.description != type(error).description:
            message = error.description
        return render_template("error.html", code=error.code, title=title, message=message), error.code


def api_error(error: HTTPException):
    """The API answers errors in JSON, never with an HTML page."""
    code = error.code or 500
    message = error.description if error.description != type(error).description else error.name
    if code == 404 and message == error.name:
        message = "No such endpoint: /api/openapi.json lists them."
    return jsonify(error={"status": code, "message": message}), code
