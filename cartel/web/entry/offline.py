"""Courtside entry without a network: the service worker that keeps the entry pages on the phone
(static/js/sw.js, served from /saisie/ so that its scope is the entry pages and nothing else), the page
it shows for an entry page never opened on the phone, and who the outbox of results waiting to be sent
belongs to (static/js/outbox.js)."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Blueprint, current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue

from cartel.web.entry.access import outbox_owner

bp = Blueprint("offline", __name__, url_prefix="/saisie")

# What every entry page needs, kept by the service worker when it installs.
ASSETS = ("css/cartel.css", "js/entry.js", "js/outbox.js")


@bp.app_context_processor
def outbox_context() -> dict[str, object]:
    return {"outbox_owner": outbox_owner}


@bp.get("/sw.js")
def service_worker() -> ResponseReturnValue:
    """The service worker, named after the build: a new release installs a new worker, which keeps the
    new styles and scripts and drops the pages kept by the old one."""
    assert current_app.static_folder is not None  # the app is created with one
    script = (Path(current_app.static_folder) / "js" / "sw.js").read_text(encoding="utf-8")
    settings = {
        "version": current_app.extensions["cartel_build"],
        "assets": [url_for("static", filename=name) for name in ASSETS],
        "offline": url_for("offline.offline_page"),
    }
    script = script.replace("/* settings */ {}", json.dumps(settings), 1)
    response = current_app.response_class(script, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"  # the browser asks for a newer worker on each visit
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/offline")
def offline_page() -> ResponseReturnValue:
    """What the service worker shows for an entry page that was never opened on the phone, offline."""
    return render_template("entry/offline.html")
