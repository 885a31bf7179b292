"""Read-only JSON endpoints, described by openapi.json. Each answer is computed once per revision,
carries an ETag, answers 304 to a conditional request, and never depends on cookies."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from flask import Blueprint, Response, abort, request
from flask.typing import ResponseReturnValue

from cartel.core.collation import folded
from cartel.read import http_cache, published, revisions
from cartel.read.tournaments import programme as read_programme
from cartel.read.tournaments import tournament_views
from cartel.web.api import serialize
from cartel.web.public.views import YEARS

bp = Blueprint("api", __name__, url_prefix="/api")

OPENAPI = Path(__file__).with_name("openapi.json")


def _json(key: tuple, tag: str, build: Callable[[], dict]) -> Response:
    return http_cache.serve(
        ("api", *key),
        tag,
        lambda: json.dumps(build(), ensure_ascii=False, separators=(",", ":")),
        mimetype="application/json",
        shared=True,
    )


def _edition(year: int) -> tuple[int, int]:
    found = revisions.edition_revision(year) if year in YEARS else None
    if found is None:
        abort(404, description=f"No edition in {year}.")
    return found


Default = TypeVar("Default", bound=int | None)


def _int_arg(name: str, default: Default, low: int, high: int) -> int | Default:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdecimal() or len(raw) > 9 or not low <= int(raw) <= high:  # "²" is a digit, not a number
        abort(400, description=f"Parameter {name} must be a whole number from {low} to {high}, not {raw[:20]!r}.")
    return int(raw)


@bp.get("/editions")
def editions() -> ResponseReturnValue:
    revision = revisions.history_revision()
    history = lambda: published.history(revision)  # noqa: E731
    return _json(
        ("editions",),
        http_cache.etag("api-editions", revision),
        lambda: {
            "revision": revision,
            "editions": [serialize.edition_summary(s) for s in reversed(history().standings)],
        },
    )


@bp.get("/editions/<int:year>")
def edition(year: int) -> ResponseReturnValue:
    edition_id, revision = _edition(year)
    return _json(
        ("edition", year),
        http_cache.etag("api-edition", edition_id, revision),
        lambda: serialize.edition(published.edition_view(edition_id, revision)),
    )


@bp.get("/editions/<int:year>/results")
def results(year: int) -> ResponseReturnValue:
    edition_id, revision = _edition(year)
    return _json(
        ("results", year),
        http_cache.etag("api-results", edition_id, revision),
        lambda: serialize.results(published.edition_view(edition_id, revision)),
    )


@bp.get("/editions/<int:year>/latest")
def latest(year: int) -> ResponseReturnValue:
    edition_id, revision = _edition(year)
    limit = _int_arg("limit", published.LATEST, 1, published.LATEST)
    return _json(
        ("latest", year, limit),
        http_cache.etag("api-latest", edition_id, revision, limit),
        lambda: serialize.latest(published.edition_view(edition_id, revision), limit),
    )


@bp.get("/editions/<int:year>/tournaments")
def tournaments(year: int) -> ResponseReturnValue:
    edition_id, revision = _edition(year)
    return _json(
        ("tournaments", year),
        http_cache.etag("api-tournaments", edition_id, revision),
        lambda: {
            "revision": revision,
            "tournaments": [serialize.tournament_summary(v) for v in tournament_views(edition_id, revision).values()],
        },
    )


@bp.get("/editions/<int:year>/tournaments/<slug>")
def tournament(year: int, slug: str) -> ResponseReturnValue:
    edition_id, revision = _edition(year)
    slug = slug[:80]

    def build() -> dict:
        # computed only when the ETag is not current: a client holding it got a 200 for this very
        # tournament at this revision, so a 304 needs no lookup
        view = tournament_views(edition_id, revision).get(slug)
        if view is None:
            abort(404, description=f"No tournament {slug[:60]!r} in {year}.")
        return serialize.tournament(view, revision)

    return _json(("tournament", year, slug), http_cache.etag("api-tournament", edition_id, revision, slug), build)


@bp.get("/editions/<int:year>/programme")
def programme(year: int) -> ResponseReturnValue:
    edition_id, revision = _edition(year)
    sport = (request.args.get("sport") or "")[:60] or None
    school = (request.args.get("school") or "")[:60] or None
    return _json(
        ("programme", year, sport, school),
        http_cache.etag("api-programme", edition_id, revision, sport or "", school or ""),
        lambda: serialize.programme(
            read_programme(tournament_views(edition_id, revision), sport=sport, school=school),
            revision,
            sport,
            school,
        ),
    )


@bp.get("/schools")
def schools() -> ResponseReturnValue:
    revision = revisions.history_revision()
    return _json(
        ("schools",),
        http_cache.etag("api-schools", revision),
        lambda: {
            "revision": revision,
            "schools": [
                serialize.school(s)
                for s in sorted(published.history(revision).schools.values(), key=lambda s: folded(s.name))
            ],
        },
    )


@bp.get("/schools/<slug>")
def school(slug: str) -> ResponseReturnValue:
    revision = revisions.history_revision()
    history = published.history(revision)
    found = published.school_by_slug(history, slug)
    if found is None:
        abort(404, description=f"No school {slug[:60]!r}.")
    return _json(
        ("school", slug),
        http_cache.etag("api-school", found.id, revision),
        lambda: serialize.school_detail(
            history, published.records(revision), found, published.school_rows(history, found), revision
        ),
    )


@bp.get("/records")
def records() -> ResponseReturnValue:
    revision = revisions.history_revision()
    as_of = _int_arg("as_of", None, 0, 9999)
    if as_of is not None and as_of not in published.as_of_years(revision):
        years = sorted(published.as_of_years(revision))
        abort(
            400,
            description=f"Parameter as_of must be the year of a finished edition ({years[0]}–{years[-1]}), not {as_of}."
            if years
            else "No edition is finished yet: leave as_of out.",
        )
    return _json(
        ("records", as_of),
        http_cache.etag("api-records", as_of or "now", revision),
        lambda: serialize.records(published.history(revision), published.records(revision, as_of), revision),
    )


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    return _json(("openapi",), http_cache.etag("openapi"), lambda: json.loads(OPENAPI.read_text(encoding="utf-8")))


@bp.after_app_request
def cors(response: Response) -> Response:
    """Any site may read the API (GET), including its ETag for conditional requests."""
    if request.path.startswith("/api/"):
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = "ETag"
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = "If-None-Match"
            response.headers["Access-Control-Max-Age"] = "86400"
    return response
