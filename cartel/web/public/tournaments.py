"""The public side of the tournaments: the programme of an edition (in progress, next, latest results,
by sport or school) and each discipline's page (pool tables, bracket, matches, places). Each is computed
once per revision, carries an ETag, and has a live region its script polls, as the edition page does."""

from __future__ import annotations

from flask import abort, render_template, request
from flask.typing import ResponseReturnValue

from cartel.read import http_cache, published
from cartel.read.tournaments import match_rows, programme, tournament_views
from cartel.web.public.views import _edition, _live_context, bp
from cartel.words.tournaments import criterion_words, match_name, score_words, team_name


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


def _filters(views) -> tuple[str | None, str | None, list, list]:
    """The sport and school asked for, when they are ones of the programme (anything else: no filter)."""
    sports = {}
    schools: set[str] = set()
    for view in views.values():
        sports[view.discipline.sport.slug] = view.discipline.sport
        for team in view.standing.spec.teams:
            schools.update(team.split("+"))
    sport = request.args.get("sport") or None
    school = request.args.get("school") or None
    return (
        sport if sport in sports else None,
        school if school in schools else None,
        sorted(sports.values(), key=lambda s: s.name_fr),
        sorted(schools),
    )


@bp.get("/editions/<int:year>/programme")
def programme_page(year: int) -> ResponseReturnValue:
    return _programme(year, "public/programme.html")


@bp.get("/editions/<int:year>/programme/live")
def programme_live(year: int) -> ResponseReturnValue:
    return _programme(year, "public/_programme_live.html", shared=True)


def _programme(year: int, template: str, shared: bool | None = None) -> ResponseReturnValue:
    edition_id, revision, lang, _tag = _edition(year)
    views = tournament_views(edition_id, revision)
    sport, school, sports, schools = _filters(views)
    tag = http_cache.etag("programme", edition_id, revision, lang, sport or "", school or "")
    return http_cache.serve(
        ("programme", year, lang, sport, school, template),
        tag,
        lambda: render_template(
            template,
            year=year,
            plan=programme(views, sport=sport, school=school),
            sport=sport,
            school=school,
            sports=sports,
            schools=schools,
            **_context(edition_id, revision),
            **_live_context(tag, lang, "public.programme_live", year=year, **_args(sport, school)),
        ),
        shared=shared,
    )


def _args(sport: str | None, school: str | None) -> dict:
    return {k: v for k, v in (("sport", sport), ("school", school)) if v}


@bp.get("/editions/<int:year>/disciplines/<slug>")
def discipline_page(year: int, slug: str) -> ResponseReturnValue:
    return _discipline(year, slug, "public/discipline.html")


@bp.get("/editions/<int:year>/disciplines/<slug>/live")
def discipline_live(year: int, slug: str) -> ResponseReturnValue:
    return _discipline(year, slug, "public/_discipline_live.html", shared=True)


def _discipline(year: int, slug: str, template: str, shared: bool | None = None) -> ResponseReturnValue:
    edition_id, revision, lang, _tag = _edition(year)
    view = tournament_views(edition_id, revision).get(slug[:80])
    if view is None:
        abort(404)
    tag = http_cache.etag("discipline", edition_id, revision, lang, view.discipline.slug)
    return http_cache.serve(
        ("discipline", year, view.discipline.slug, lang, template),
        tag,
        lambda: render_template(
            template,
            year=year,
            view=view,
            standing=view.standing,
            rows=[r for r in match_rows({view.discipline.slug: view}) if not view.standing.is_bracket(r.code)],
            **_context(edition_id, revision),
            **_live_context(tag, lang, "public.discipline_live", year=year, slug=view.discipline.slug),
        ),
        shared=shared,
    )
