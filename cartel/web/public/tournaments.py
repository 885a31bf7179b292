"""The public side of the tournaments: the programme of an edition (in progress, next, latest results,
by sport or school) and each discipline's page (pool tables, bracket, matches, places). Each is computed
once per revision, carries an ETag, and has a live region its script polls, as the edition page does."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, current_app, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from cartel.extensions import db
from cartel.files.ical import Happening, calendar
from cartel.models import School
from cartel.read import http_cache, published
from cartel.read.tournaments import MatchRow, match_rows, programme, tournament_views
from cartel.web.public.views import _edition, _live_context, bp
from cartel.web.urls import local_target
from cartel.words.i18n import discipline_name
from cartel.words.tournaments import criterion_words, match_name, score_words, team_name
from cartel.words.tournaments import state_words as match_state


def _context(edition_id: int, revision: int) -> dict:
    view = published.edition_view(edition_id, revision)
    names = {row.school.slug: row.school.name for row in view.standing.rows}
    return {
        "edition_view": view,
        "names": names,
        "match_name": match_name,
        "team_name": team_name,
        "score_words": score_words,
        "criterion_words": criterion_words,
    }


def _filters(views) -> tuple[str | None, str | None, list, list, str | None, list[str]]:
    """The sport, school and venue asked for, when they are ones of the programme (else: no filter)."""
    sports = {}
    schools: set[str] = set()
    venues: set[str] = set()
    for view in views.values():
        sports[view.discipline.sport.slug] = view.discipline.sport
        for team in view.standing.spec.teams:
            schools.update(team.split("+"))
        venues.update(v for v in view.venues.values() if v)
    sport = request.args.get("sport") or None
    school = request.args.get("school") or None
    venue = request.args.get("venue") or None
    return (
        sport if sport in sports else None,
        school if school in schools else None,
        sorted(sports.values(), key=lambda s: s.name_fr),
        sorted(schools),
        venue if venue in venues else None,
        sorted(venues),
    )


@bp.get("/editions/<int:year>/programme")
def programme_page(year: int) -> ResponseReturnValue:
    return _programme(year, "public/programme.html")


@bp.get("/editions/<int:year>/programme/live")
def programme_live(year: int) -> ResponseReturnValue:
    return _programme(year, "public/_programme_live.html", shared=True)


def _asked() -> tuple[str, str, str]:
    """The filters as asked (ETags are made of them before anything is computed: a 304 costs nothing)."""
    return tuple((request.args.get(name) or "")[:60] for name in ("sport", "school", "venue"))  # type: ignore[return-value]


def _programme(year: int, template: str, shared: bool | None = None) -> ResponseReturnValue:
    edition_id, revision, lang, _tag = _edition(year)
    tag = http_cache.etag("programme", edition_id, revision, lang, *_asked())

    def render() -> str:
        views = tournament_views(edition_id, revision)
        sport, school, sports, schools, venue, venues = _filters(views)
        return render_template(
            template,
            year=year,
            plan=programme(views, sport=sport, school=school, venue=venue),
            edition_tournaments=list(views.values()),
            sport=sport,
            school=school,
            venue=venue,
            sports=sports,
            schools=schools,
            venues=venues,
            **_context(edition_id, revision),
            **_live_context(tag, lang, "public.programme_live", year=year, **_args(sport, school, venue)),
        )

    return http_cache.serve(("programme", year, lang, *_asked(), template), tag, render, shared=shared)


def _args(sport: str | None, school: str | None, venue: str | None = None) -> dict:
    return {k: v for k, v in (("sport", sport), ("school", school), ("venue", venue)) if v}


@bp.get("/editions/<int:year>/disciplines/<slug>")
def discipline_page(year: int, slug: str) -> ResponseReturnValue:
    return _discipline(year, slug, "public/discipline.html")


@bp.get("/editions/<int:year>/disciplines/<slug>/live")
def discipline_live(year: int, slug: str) -> ResponseReturnValue:
    return _discipline(year, slug, "public/_discipline_live.html", shared=True)


def _discipline(year: int, slug: str, template: str, shared: bool | None = None) -> ResponseReturnValue:
    edition_id, revision, lang, _tag = _edition(year)
    slug = slug[:80]
    tag = http_cache.etag("discipline", edition_id, revision, lang, slug)

    def render() -> str:
        # only when the ETag is not current: a client holding it got a 200 for this very discipline
        view = tournament_views(edition_id, revision).get(slug)
        if view is None:
            abort(404)
        return render_template(
            template,
            year=year,
            view=view,
            standing=view.standing,
            rows=[r for r in match_rows({view.discipline.slug: view}) if not view.standing.is_bracket(r.code)],
            **_context(edition_id, revision),
            **_live_context(tag, lang, "public.discipline_live", year=year, slug=view.discipline.slug),
        )

    return http_cache.serve(("discipline", year, slug, lang, template), tag, render, shared=shared)


# --- calendar feeds -------------------------------------------------------------------------------


def _happenings(rows: list[MatchRow], views, names: dict[str, str], year: int) -> list[Happening]:
    """Each scheduled match of ``rows`` as a calendar event; its result in the description once played."""
    found = []
    for r in rows:
        if r.starts_at is None:
            continue
        standing = views[r.discipline.slug].standing
        teams = " – ".join(team_name(t, names) for t in r.teams) if r.teams else "—"
        played = score_words(r.sheet, names, r.teams if len(r.teams) == 2 else (None, None)) if r.sheet else None
        description = (
            _("%(state)s: %(score)s", state=match_state(r.state.value), score=played)
            if played
            else match_state(r.state.value)
        )
        found.append(
            Happening(
                uid=f"{year}-{r.discipline.slug}-{r.code}@cartel",
                start=r.starts_at,
                minutes=standing.rules.match_minutes,
                summary=f"{discipline_name(r.discipline)} — {match_name(r.code)} : {teams}",
                location=r.venue,
                description=description,
                sequence=r.sequence,
                stamp=r.updated_at or r.starts_at,
            )
        )
    return found


def _feed(year: int, kind: str, slug: str, pick) -> ResponseReturnValue:
    edition_id, revision, lang, _tag = _edition(year)
    views = tournament_views(edition_id, revision)
    rows = [r for r in match_rows(views) if pick(r)]
    if not rows and not any(v.discipline.slug == slug for v in views.values()) and kind == "discipline":
        abort(404)
    names = _context(edition_id, revision)["names"]
    if kind == "school" and slug not in names:
        abort(404)
    title = names.get(slug) if kind == "school" else discipline_name(views[slug].discipline)
    tag = http_cache.etag("ical", kind, slug, edition_id, revision, lang)
    return http_cache.serve(
        ("ical", kind, slug, year, lang),
        tag,
        lambda: calendar(f"Cartel {year} — {title}", _happenings(rows, views, names, year)),
        mimetype="text/calendar",
        shared=True,
    )


@bp.get("/editions/<int:year>/calendar/schools/<slug>.ics")
def school_calendar(year: int, slug: str) -> ResponseReturnValue:
    slug = slug[:80]
    return _feed(year, "school", slug, lambda r: r.involves(slug))


@bp.get("/editions/<int:year>/calendar/disciplines/<slug>.ics")
def discipline_calendar(year: int, slug: str) -> ResponseReturnValue:
    slug = slug[:80]
    return _feed(year, "discipline", slug, lambda r: r.discipline.slug == slug)


# --- my school: chosen once (a cookie, no account), highlighted everywhere, its day -----------------

MY_SCHOOL_COOKIE = "cartel_school"


@bp.get("/my-school/")
@bp.get("/my-school/<slug>")
def choose_school(slug: str = "") -> ResponseReturnValue:
    """Remember the visitor's school (no slug: forget it) with a plain link, as the language switch does,
    then go back where they were. Pages stay the same for everyone (and cached so): static/js/mine.js marks
    the school's rows."""
    slug = slug[:60]
    response = make_response(redirect(local_target(request.args.get("next"), url_for("public.home"))))
    if slug and db.session.scalar(sa.select(School.id).filter_by(slug=slug)) is not None:
        response.set_cookie(
            MY_SCHOOL_COOKIE,
            slug,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=current_app.config["CARTEL_SECURE_COOKIES"],
        )  # read by static/js/mine.js: not httponly (it says only which school to highlight)
    else:
        response.delete_cookie(MY_SCHOOL_COOKIE)
    return response


@bp.get("/editions/<int:year>/schools/<slug>")
def school_day(year: int, slug: str) -> ResponseReturnValue:
    return _school_day(year, slug[:60], "public/school_day.html")


@bp.get("/editions/<int:year>/schools/<slug>/live")
def school_day_live(year: int, slug: str) -> ResponseReturnValue:
    return _school_day(year, slug[:60], "public/_school_day_live.html", shared=True)


def _school_day(year: int, slug: str, template: str, shared: bool | None = None) -> ResponseReturnValue:
    edition_id, revision, lang, _tag = _edition(year)
    tag = http_cache.etag("school-day", edition_id, revision, lang, slug)

    def render() -> str:
        context = _context(edition_id, revision)
        row = next((r for r in context["edition_view"].standing.rows if r.school.slug == slug), None)
        if row is None:
            abort(404)
        return render_template(
            template,
            year=year,
            row=row,
            plan=programme(tournament_views(edition_id, revision), school=slug),
            **context,
            **_live_context(tag, lang, "public.school_day_live", year=year, slug=slug),
        )

    return http_cache.serve(("school-day", year, slug, lang, template), tag, render, shared=shared)


# --- embeds: widgets for a school's or a BDS's own site, framable only by the sites listed ------------


@bp.get("/embed/editions/<int:year>/ranking")
def embed_ranking(year: int) -> ResponseReturnValue:
    return _embed_ranking(year, "public/embed_ranking.html")


@bp.get("/embed/editions/<int:year>/ranking/live")
def embed_ranking_live(year: int) -> ResponseReturnValue:
    return _embed_ranking(year, "public/_embed_ranking_live.html", shared=True)


def _embed_ranking(year: int, template: str, shared: bool | None = None) -> ResponseReturnValue:
    edition_id, revision, lang, tag = _edition(year)
    return http_cache.serve(
        ("embed-ranking", year, lang, template),
        tag,
        lambda: render_template(
            template,
            year=year,
            view=published.edition_view(edition_id, revision),
            full_endpoint="public.edition",
            full_args={},
            **_live_context(tag, lang, "public.embed_ranking_live", year=year),
        ),
        shared=shared,
    )


@bp.get("/embed/editions/<int:year>/programme")
def embed_programme(year: int) -> ResponseReturnValue:
    return _embed_programme(year, "public/embed_programme.html")


@bp.get("/embed/editions/<int:year>/programme/live")
def embed_programme_live(year: int) -> ResponseReturnValue:
    return _embed_programme(year, "public/_programme_live.html", shared=True)


def _embed_programme(year: int, template: str, shared: bool | None = None) -> ResponseReturnValue:
    edition_id, revision, lang, _tag = _edition(year)
    tag = http_cache.etag("embed-programme", edition_id, revision, lang, *_asked())

    def render() -> str:
        views = tournament_views(edition_id, revision)
        sport, school, _sports, _schools, venue, _venues = _filters(views)
        return render_template(
            template,
            year=year,
            plan=programme(views, sport=sport, school=school, venue=venue, limit=10),
            sport=sport,
            school=school,
            full_endpoint="public.programme_page",
            full_args=_args(sport, school, venue),
            **_context(edition_id, revision),
            **_live_context(tag, lang, "public.embed_programme_live", year=year, **_args(sport, school, venue)),
        )

    return http_cache.serve(("embed-programme", year, lang, *_asked(), template), tag, render, shared=shared)
