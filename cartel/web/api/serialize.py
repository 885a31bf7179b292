"""Public JSON: what cartel.read.published computed, as plain data for the API.

Points are JSON numbers rounded as the pages round them (two decimals at most), with the exact value
as a fraction string ("31/3") beside them wherever the rounding loses something, else null.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from cartel.core import records as records_engine
from cartel.core.tournament.races import FINAL
from cartel.models import School
from cartel.read.published import EditionView
from cartel.read.standings import EditionStanding, History, Podium
from cartel.read.tournaments import MatchRow, Programme, TournamentView


def points(value: Fraction | None) -> int | float | None:
    if value is None:
        return None
    return value.numerator if value.denominator == 1 else round(float(value), 2)


def exact(value: Fraction | None) -> str | None:
    """The exact value where the rounded number differs from it."""
    if value is None or Fraction(str(points(value))) == value:
        return None
    return f"{value.numerator}/{value.denominator}"


def medals_of(medals: tuple[int, int, int] | None) -> dict | None:
    return dict(zip(("first", "second", "third"), medals, strict=True)) if medals else None


def with_points(name: str, value: Fraction | None) -> dict:
    return {name: points(value), f"{name}_exact": exact(value)}


def timestamp(value: dt.datetime | None) -> str | None:
    """Stored times are naive UTC."""
    return None if value is None else value.replace(microsecond=0).isoformat() + "Z"


def school(s: School) -> dict:
    return {
        "slug": s.slug,
        "name": s.name,
        "short_name": s.short_name,
        "city": s.city,
        "country": s.country,
        "colours": s.colours.split(",") if s.colours else [],
    }


def school_ref(s: School) -> dict:
    return {"slug": s.slug, "name": s.name, "short_name": s.short_name}


def edition_summary(standing: EditionStanding) -> dict:
    e = standing.edition
    finished = e.status.value == "finished"
    winners = standing.winners if finished else ()
    top = next((r for r in standing.rows if r.rank == 1), None) if finished else None
    return {
        "year": e.year,
        "number": e.number,
        "status": e.status.value,
        "host": school_ref(e.host) if e.host else None,
        "start_date": e.start_date.isoformat() if e.start_date else None,
        "end_date": e.end_date.isoformat() if e.end_date else None,
        "winners": [w.slug for w in winners],
        **with_points("winner_points", top.points if top else None),
    }


def ranking(standing: EditionStanding) -> dict:
    rows = []
    for r in standing.rows:
        medals = medals_of(r.medals)
        rows.append(
            {
                "rank": r.rank,
                "school": school_ref(r.school),
                **with_points("points", r.points),
                "medals": medals,
                **with_points("adjustment_points", r.adjustment_points),
            }
        )
    return {
        "kind": standing.kind,
        "provisional": standing.provisional,
        "partial": standing.partial,
        "final_disciplines": standing.final_disciplines,
        "total_disciplines": standing.total_disciplines,
        "rows": rows,
    }


def edition(view: EditionView) -> dict:
    standing = view.standing
    adjustments = [
        {
            "school": a.school.slug,
            **with_points("points", Fraction(str(a.points))),
            "reason": a.reason,
            "created_at": timestamp(a.created_at),
        }
        for a in standing.data.adjustments
    ]
    return {
        **edition_summary(standing),
        "revision": view.revision,
        "revised_at": timestamp(view.revised_at),
        "ranking": ranking(standing),
        "adjustments": adjustments,
    }


def discipline_result(podium: Podium) -> dict:
    e = podium.entry
    d = e.discipline
    return {
        "discipline": {
            "slug": d.slug,
            "sport": d.sport.slug,
            "category": d.category.value,
            "name_fr": d.sport.name_fr,
            "name_en": d.sport.name_en,
            "kind": d.sport.kind.value,
        },
        "weight": points(Fraction(str(e.weight))),
        "points_table": None
        if not e.place_points
        else {
            "places": [points(Fraction(str(p))) for p in e.place_points],
            "beyond": "last" if e.beyond_last else "zero",
        },
        "state": e.result_state.value,
        "version": e.version,
        "published_at": timestamp(e.published_at),
        "updated_at": timestamp(e.updated_at),
        "corrected_at": timestamp(e.corrected_at),
        "corrected": e.corrected_at is not None,
        "places": [{"place": place, "schools": [s.slug for s in team]} for place, team in podium.places],
    }


def results(view: EditionView) -> dict:
    return {
        "year": view.edition.year,
        "revision": view.revision,
        "disciplines": [discipline_result(p) for p in view.podiums],
    }


def latest(view: EditionView, limit: int) -> dict:
    return {
        "year": view.edition.year,
        "revision": view.revision,
        "results": [discipline_result(p) for p in view.latest[:limit]],
    }


def _slug(history: History, school_id) -> str:
    return history.schools[school_id].slug


def _streak(history: History, s: records_engine.Streak | None) -> dict | None:
    if s is None:
        return None
    return {
        "school": _slug(history, s.school),
        "length": s.length,
        "first_year": s.first_year,
        "last_year": s.last_year,
        "at_least": s.at_least,
    }


def records(history: History, r: records_engine.Records, revision: int) -> dict:
    slug = lambda key: _slug(history, key)  # noqa: E731
    record = r.record_points
    return {
        "as_of": r.as_of_year,
        "revision": revision,
        "record_points": None
        if record is None
        else {
            **with_points("points", record.points),
            "holders": [{"school": slug(s), "year": y} for s, y in record.holders],
        },
        "titles": [{"school": slug(t.school), "count": t.count, "at_least": t.at_least} for t in r.titles],
        "longest_streaks": [_streak(history, s) for s in r.longest_streaks],
        "current_streaks": [_streak(history, s) for s in r.current_streaks],
        "current_streak": _streak(history, r.current_streaks[0] if r.current_streaks else None),  # deprecated
        "current_streak_unknown_since": r.current_streak_unknown_since,
        "podium_in_every_discipline": [
            {"school": slug(s), "year": y, "disciplines": n} for s, y, n in r.podium_in_every_discipline
        ],
        "most_disciplines_won": [{"school": slug(s), "year": y, "wins": n} for s, y, n in r.most_disciplines_won],
        "palmares": [
            {
                "year": p.year,
                "number": p.number,
                "host": slug(p.host) if p.host is not None else None,
                "cancelled": p.cancelled,
                "status": p.status,
                "winners": [slug(w) for w in p.winners],
                **with_points("winner_points", p.winner_points),
            }
            for p in r.palmares
        ],
        "editions_hosted": [
            {"school": slug(s), "years": years}
            for s, years in sorted(r.editions_hosted.items(), key=lambda i: (-len(i[1]), slug(i[0])))
        ],
    }


def school_detail(history: History, r: records_engine.Records, s: School, rows: list, revision: int) -> dict:
    titles = next((t for t in r.titles if t.school == s.id), None)
    best = r.school_points_records.get(s.id)
    editions = []
    for standing, row in rows:
        editions.append(
            {
                "year": standing.edition.year,
                "number": standing.edition.number,
                "status": standing.edition.status.value,
                "rank": row.rank if row else None,
                **with_points("points", row.points if row else None),
                "medals": dict(zip(("first", "second", "third"), row.medals, strict=True))
                if row and row.medals
                else None,
                "hosted": standing.edition.host_id == s.id,
            }
        )
    return {
        "school": school(s),
        "revision": revision,
        "titles": None if titles is None else {"count": titles.count, "at_least": titles.at_least},
        "best_points": None
        if best is None
        else {**with_points("points", best.points), "years": [y for _, y in best.holders]},
        "editions": editions,
    }


# --- tournaments ------------------------------------------------------------------------------------


def _discipline_ref(d) -> dict:
    return {"slug": d.slug, "sport": d.sport.slug, "category": d.category.value}


def _team(team: str | None) -> list[str] | None:
    """A team as the slugs of its schools (two or more for a joint team); null while not known."""
    return None if team is None else team.split("+")


def _side(side) -> dict:
    return {
        "score": side.score,
        "sets": side.sets,
        "points": side.points,
        "sendings_off": side.sendings_off,
        "fair_play": side.fair_play,
        "tries": side.tries,
    }


def tournament_summary(view: TournamentView) -> dict:
    standing = view.standing
    played = sum(1 for m in standing.matches.values() if m.state.value == "final")
    return {
        "discipline": _discipline_ref(view.discipline),
        "shape": standing.spec.shape.value,
        "teams": len(standing.spec.teams),
        "matches": len(standing.matches),
        "played": played,
        "finished": standing.resolution.finished and standing.all_final,
    }


def tournament(view: TournamentView, revision: int) -> dict:
    """A discipline's tournament whole: its format and rules, pool tables with the tie-breaks that decided,
    every match with its teams and score, and the places given so far."""
    standing = view.standing
    spec, resolution = standing.spec, standing.resolution
    pools = []
    for pool in standing.format.pools:
        table = resolution.tables.get(pool.name)
        rows = []
        if table is not None:
            for line in table.lines:
                rows.append(
                    {
                        "rank": table.ranks.get(line.team),
                        "team": _team(line.team),
                        "played": line.played,
                        "won": line.won,
                        "drawn": line.drawn,
                        "lost": line.lost,
                        "scored": line.scored,
                        "conceded": line.conceded,
                        "difference": line.difference,
                        "points": line.match_points,
                    }
                )
        pools.append(
            {
                "name": pool.name,
                "complete": bool(table and table.complete),
                "rows": rows,
                "tiebreaks": [
                    {"teams": [_team(t) for t in note.teams], "criterion": note.criterion.value}
                    for note in (table.notes if table else ())
                ],
            }
        )
    matches = []
    for code, fixture in standing.fixtures.items():
        match = standing.matches[code]
        home, away = resolution.slots.get(code, (None, None))
        sheet = standing.sheets.get(code) if match.state.value != "scheduled" else None
        score = None
        times = []
        if sheet is not None and standing.races:
            times = [{"schools": _team(team), "time": time} for team, time in sheet.times]
        elif sheet is not None:
            result = sheet.result(standing.rules)
            won = result.won_by(standing.rules)
            score = {
                "home": _side(result.sides(standing.rules)[0]),
                "away": _side(result.sides(standing.rules)[1]),
                "forfeit": sheet.forfeit,
                "winner": won,
                "finish": sheet.finish.value,
                "sub_matches": [{"sets": [list(s) for s in sub.sets], "given_up": sub.given_up} for sub in sheet.subs],
            }
        matches.append(
            {
                "code": code,
                "stage": ("final" if code == FINAL else "heat")
                if standing.races
                else ("bracket" if fixture.bracket else "pool"),
                "pool": fixture.pool,
                "round": fixture.round or None,
                "home": _team(home),
                "away": _team(away),
                "state": match.state.value,
                "score": score,
                "starts_at": timestamp(match.starts_at),
                "venue": view.venues.get(code),
                "stale": code in resolution.stale,
                "lanes": [_team(t) for t in standing.lanes.get(code, ())],
                "times": times,
            }
        )
    places = sorted(((place, team) for team, place in resolution.places.items()))
    return {
        "revision": revision,
        **tournament_summary(view),
        "format": {
            "shape": spec.shape.value,
            "pools": [
                {"name": p.name, "teams": [_team(s.ref) for s in p.entrants if s.kind.value == "team"]}
                for p in standing.format.pools
                if all(s.kind.value == "team" for s in p.entrants)
            ],
            "seeds": [_team(t) for t in spec.seeds],
            "advance": spec.advance,
            "best_of_next": spec.best_of_next,
            "consolation_pool": spec.consolation_pool,
        },
        "rules": standing.rules.to_data(),
        "pools": pools,
        "matches": matches,
        "undecided": [
            {"context": u.context, "teams": [_team(t) for t in sorted(u.teams)]} for u in resolution.undecided
        ],
        "places": [{"place": place, "schools": _team(team)} for place, team in places],
    }


def _row(r: MatchRow) -> dict:
    return {
        "discipline": _discipline_ref(r.discipline),
        "code": r.code,
        "teams": [_team(t) for t in r.teams],
        "state": r.state.value,
        "score": None
        if r.sheet is None or r.sheet.times
        else {
            "home": r.sheet.home.score,
            "away": r.sheet.away.score,
            "forfeit": r.sheet.forfeit,
            "winner": r.sheet.winner,
        },
        "starts_at": timestamp(r.starts_at),
        "venue": r.venue,
    }


def programme(plan: Programme, revision: int, sport: str | None, school: str | None) -> dict:
    """What is being played, what comes next, the latest results: the programme page's data."""
    return {
        "revision": revision,
        "sport": sport,
        "school": school,
        "in_progress": [_row(r) for r in plan.in_progress],
        "upcoming": [_row(r) for r in plan.upcoming],
        "latest": [_row(r) for r in plan.latest],
    }
