"""Thin views: read the revision, then serve what cartel.read.published computed for it.

Every page costs one query when nothing changed (the revision), and a conditional request that
still holds the page's ETag gets a 304. Live regions (home and edition pages) have a fragment URL
that the page's script polls.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue

from cartel import database
from cartel.core import charts, colours
from cartel.core.clock import utcnow
from cartel.extensions import db
from cartel.models import HistoryRevision
from cartel.read import exports, http_cache, published, revisions
from cartel.read.tournaments import programme, tournament_views
from cartel.web.urls import local_target
from cartel.words.i18n import LANGUAGE_COOKIE, select_locale
from cartel.words.tournaments import match_name, score_words, team_name

bp = Blueprint("public", __name__)

YEARS = range(1, 10_000)  # a year outside is a 404, never a database overflow


def _quoted(tag: str) -> str:
    return f'"{tag}"'


def _live_context(tag: str, lang: str, endpoint: str, **values) -> dict:
    """What a page with a live region needs: its fragment URL and the ETag it starts from."""
    return {
        "etag": _quoted(tag),
        "live_url": url_for(endpoint, lang=lang, **values),
        "poll_seconds": current_app.config["CARTEL_POLL_SECONDS"],
    }


# --- home -------------------------------------------------------------------------------------


@bp.get("/")
def home() -> ResponseReturnValue:
    revision, lang = revisions.history_revision(), select_locale()
    tag = http_cache.etag("home", revision, lang)
    return http_cache.serve(
        ("home", lang),
        tag,
        lambda: render_template(
            "public/home.html",
            view=published.current_view(revision),
            here=request.path,
            **_live_context(tag, lang, "public.home_live"),
        ),
    )


@bp.get("/live")
def home_live() -> ResponseReturnValue:
    """The home page's live region alone (ranking and latest results), for its script."""
    revision, lang = revisions.history_revision(), select_locale()
    tag = http_cache.etag("home", revision, lang)
    return http_cache.serve(
        ("home-live", lang),
        tag,
        lambda: render_template("public/_home_live.html", view=published.current_view(revision)),
        shared=True,
    )


# --- an edition -------------------------------------------------------------------------------


def _edition(year: int) -> tuple[int, int, str, str]:
    """The edition's id and revision, the visitor's language and the ETag of its pages."""
    found = revisions.edition_revision(year) if year in YEARS else None
    if found is None:
        abort(404)
    edition_id, revision = found
    lang = select_locale()
    return edition_id, revision, lang, http_cache.etag("edition", edition_id, revision, lang)


@bp.get("/editions/<int:year>")
def edition(year: int) -> ResponseReturnValue:
    edition_id, revision, lang, tag = _edition(year)
    return http_cache.serve(
        ("edition", year, lang),
        tag,
        lambda: render_template(
            "public/edition.html",
            view=published.edition_view(edition_id, revision),
            tournaments=tournament_views(edition_id, revision),
            here=request.path,
            **_live_context(tag, lang, "public.edition_live", year=year),
        ),
    )


@bp.get("/editions/<int:year>/live")
def edition_live(year: int) -> ResponseReturnValue:
    """The edition page's live region alone (ranking, latest results, podiums), for its script."""
    edition_id, revision, lang, tag = _edition(year)
    return http_cache.serve(
        ("edition-live", year, lang),
        tag,
        lambda: render_template("public/_edition_live.html", view=published.edition_view(edition_id, revision)),
        shared=True,
    )


# --- the venue's big screen ---------------------------------------------------------------------


SCREEN_BACKGROUND = "#0b0e13"  # static/css/screen.css: --bg


def _swatches(view: published.EditionView) -> tuple[dict[int, str], dict[int, str]]:
    """Each school's colour on the big screen: its own (its first colour when it is one, else the charts'
    palette in ranking order, as the race chart assigns it), and the one its bars are drawn in: the same
    where readable on the dark screen and distinct from the others, else adjusted (cartel.core.colours)."""
    rows = view.standing.rows
    wanted = [(r.school.colours or "").split(",")[0].strip() for r in rows]
    real = [colour for colour, _dash in charts._colours(wanted)]
    shown = colours.for_screen(real, SCREEN_BACKGROUND)
    return (
        {r.school.id: c for r, c in zip(rows, shown, strict=True)},
        {r.school.id: c for r, c in zip(rows, real, strict=True)},
    )


def _render_screen(template: str, edition_id: int, revision: int, **context) -> str:
    view = published.edition_view(edition_id, revision)
    shown, real = _swatches(view)
    views = tournament_views(edition_id, revision)
    plan = programme(views, limit=20) if views else None
    # the discipline whose match was played last, its pools and bracket in the rotation
    active = views.get(plan.latest[0].discipline.slug) if plan and plan.latest else None
    return render_template(
        template,
        view=view,
        colours=shown,
        real_colours=real,
        plan=plan,
        active=active,
        names={row.school.slug: row.school.short_name for row in view.standing.rows},
        match_name=match_name,
        team_name=team_name,
        score_words=score_words,
        **context,
    )


@bp.get("/editions/<int:year>/screen")
def screen(year: int) -> ResponseReturnValue:
    """The venue's big screen: panels that take turns by themselves, kept current like the live pages.
    Nothing on it is personal, so every visitor of a language shares its stored bytes."""
    edition_id, revision, lang, _tag = _edition(year)
    tag = http_cache.etag("screen", edition_id, revision, lang)
    return http_cache.serve(
        ("screen", year, lang),
        tag,
        lambda: _render_screen(
            "public/screen.html", edition_id, revision, **_live_context(tag, lang, "public.screen_live", year=year)
        ),
        shared=True,
    )


@bp.get("/editions/<int:year>/screen/live")
def screen_live(year: int) -> ResponseReturnValue:
    """The big screen's panels alone, for its script (same ETag as the screen page)."""
    edition_id, revision, lang, _tag = _edition(year)
    tag = http_cache.etag("screen", edition_id, revision, lang)
    return http_cache.serve(
        ("screen-live", year, lang),
        tag,
        lambda: _render_screen("public/_screen_live.html", edition_id, revision),
        shared=True,
    )


# --- pages spanning editions ------------------------------------------------------------------


@bp.get("/editions")
def editions() -> ResponseReturnValue:
    revision, lang = revisions.history_revision(), select_locale()
    tag = http_cache.etag("editions", revision, lang)
    return http_cache.serve(
        ("editions", lang),
        tag,
        lambda: render_template(
            "public/editions.html", standings=list(reversed(published.history(revision).standings)), here=request.path
        ),
    )


def _render_school(revision: int, school) -> str:
    history = published.history(revision)
    records = published.records(revision)
    titles = next((t for t in records.titles if t.school == school.id), None)
    return render_template(
        "public/school.html",
        school=school,
        rows=published.school_rows(history, school),
        titles=titles,
        points_record=records.school_points_records.get(school.id),
        hosted=records.editions_hosted.get(school.id, []),
        records=records,
        schools=history.schools,
        here=request.path,
    )


@bp.get("/schools")
def schools() -> ResponseReturnValue:
    revision = revisions.history_revision()
    lang = select_locale()
    tag = http_cache.etag("schools", revision, lang)
    return http_cache.serve(
        ("schools", lang),
        tag,
        lambda: render_template(
            "public/schools.html",
            summaries=published.school_summaries(published.history(revision), published.records(revision)),
            here=request.path,
        ),
    )


@bp.get("/schools/<slug>")
def school(slug: str) -> ResponseReturnValue:
    revision = revisions.history_revision()
    history = published.history(revision)
    school = published.school_by_slug(history, slug)
    if school is None:
        abort(404)
    lang = select_locale()
    tag = http_cache.etag("school", school.id, revision, lang)
    return http_cache.serve(("school", slug, lang), tag, lambda: _render_school(revision, school))


@bp.get("/records")
def records() -> ResponseReturnValue:
    revision = revisions.history_revision()
    as_of = request.args.get("as_of", type=int)
    if as_of is not None and as_of not in published.as_of_years(revision):
        as_of = None
    lang = select_locale()
    tag = http_cache.etag("records", as_of or "now", revision, lang)
    return http_cache.serve(
        ("records", as_of, lang),
        tag,
        lambda: render_template(
            "public/records.html",
            records=published.records(revision, as_of),
            as_of=as_of,
            choices=list(reversed(published.counted_editions(published.history(revision)))),
            schools=published.history(revision).schools,
            here=url_for("public.records", as_of=as_of),
        ),
    )


# --- downloads ----------------------------------------------------------------------------------


def _download(body: bytes, filename: str, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"  # each export states when it was made
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/editions/<int:year>/export.xlsx")
def edition_workbook(year: int) -> ResponseReturnValue:
    edition_id, revision, _lang, _tag = _edition(year)
    view = published.edition_view(edition_id, revision)
    tournaments = tournament_views(edition_id, revision)
    return _download(exports.edition_workbook(view, utcnow(), tournaments), f"cartel-{year}.xlsx", XLSX)


@bp.get("/editions/<int:year>/ranking.csv")
def ranking_csv(year: int) -> ResponseReturnValue:
    edition_id, revision, _lang, _tag = _edition(year)
    view = published.edition_view(edition_id, revision)
    return _download(exports.ranking_csv(view), exports.ranking_csv_name(view, utcnow()), "text/csv")


@bp.get("/records/export.xlsx")
def history_workbook() -> ResponseReturnValue:
    revision = revisions.history_revision()
    body = exports.history_workbook(published.history(revision), published.records(revision), utcnow())
    return _download(body, "cartel-history.xlsx", XLSX)


@bp.get("/health")
def health() -> ResponseReturnValue:
    """A constant answer for load balancers, and the baseline route of the benchmarks."""
    response = make_response("ok")
    response.mimetype = "text/plain"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """For monitoring and load balancers: 200 when the database answers and can be written, 503
    otherwise. Two cheap checks: the read every public page makes (the history revision, on the
    revision reader's connections) and a write that matches no row, rolled back (see
    cartel.database.check_writable: a read-only or full database is not healthy). Never cached."""
    try:
        healthy = revisions.execute("history") is not None
        database.check_writable(db.engine, HistoryRevision.revision)
    except Exception:  # any failure of the database, its driver or its disk means: not healthy
        current_app.logger.exception("health check: the database does not answer or cannot be written")
        healthy = False
    response = make_response("ok" if healthy else "database unavailable", 200 if healthy else 503)
    response.mimetype = "text/plain"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/language/<code>")
def language(code: str) -> ResponseReturnValue:
    """Switch language with a plain link (no JavaScript), then go back where the user was."""
    if code not in current_app.config["CARTEL_LANGUAGES"]:
        abort(404)
    response = make_response(redirect(local_target(request.args.get("next"), url_for("public.home"))))
    response.set_cookie(
        LANGUAGE_COOKIE,
        code,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        httponly=True,
        secure=current_app.config["CARTEL_SECURE_COOKIES"],
    )
    return response
