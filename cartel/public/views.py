"""Thin views: load through cartel.standings, compute with the pure engines, render."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, make_response, redirect, render_template, request, url_for

from cartel.i18n import LANGUAGE_COOKIE
from cartel.models import Edition
from cartel.standings import build_standing, current_edition_year, load_editions, load_history, podiums

bp = Blueprint("public", __name__)


@bp.get("/")
def home():
    year = current_edition_year()
    standing = None
    if year is not None:
        editions, schools = load_editions(Edition.year == year)
        standing = build_standing(editions[0], schools)
    return render_template("public/home.html", standing=standing)


@bp.get("/editions")
def editions():
    history = load_history()
    return render_template("public/editions.html", standings=list(reversed(history.standings)))


@bp.get("/editions/<int:year>")
def edition(year: int):
    editions, schools = load_editions(Edition.year == year)
    if not editions:
        abort(404)
    return render_template("public/edition.html", standing=build_standing(editions[0], schools),
                           podiums=podiums(editions[0], schools))


@bp.get("/schools/<slug>")
def school(slug: str):
    history = load_history()
    school = next((s for s in history.schools.values() if s.slug == slug), None)
    if school is None:
        abort(404)
    rows = []
    for standing in reversed(history.standings):
        row = next((r for r in standing.rows if r.school.id == school.id), None)
        took_part = any(p.school_id == school.id for p in standing.data.participants)
        if row or took_part or standing.edition.host_id == school.id:
            rows.append((standing, row))
    records = history.records()
    titles = next((t for t in records.titles if t.school == school.id), None)
    return render_template("public/school.html", school=school, rows=rows, titles=titles,
                           points_record=records.school_points_records.get(school.id),
                           hosted=records.editions_hosted.get(school.id, []), records=records,
                           schools=history.schools)


@bp.get("/records")
def records():
    history = load_history()
    counted = [s.edition for s in history.standings if s.edition.number is not None
               and s.edition.status.value == "finished"]
    as_of = request.args.get("as_of", type=int)
    if as_of is not None and as_of not in {e.year for e in counted}:
        as_of = None
    return render_template("public/records.html", records=history.records(as_of), as_of=as_of,
                           choices=list(reversed(counted)), schools=history.schools)


@bp.get("/language/<code>")
def language(code: str):
    """Switch language with a plain link (no JavaScript), then go back where the user was."""
    if code not in current_app.config["CARTEL_LANGUAGES"]:
        abort(404)
    target = request.args.get("next", "")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or "\\" in target:
        target = url_for("public.home")
    response = make_response(redirect(target))
    response.set_cookie(LANGUAGE_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response
