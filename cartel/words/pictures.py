"""The charts of the pages: the pure SVG of cartel.core.charts fed with what the pages show, in the
reader's language. Rendered with the page, hence once per revision and language (pages are stored)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from fractions import Fraction

from flask_babel import format_datetime, get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from cartel.core import charts
from cartel.core.tournament.formats import From
from cartel.words import numbers, typography
from cartel.words.tournaments import match_name, team_name


def _trusted(svg: str) -> Markup:
    """SVG from cartel.core.charts, which escapes every text it draws (school names included: tests/test_charts.py)."""
    return Markup(svg)  # nosec B704


def _fmt(points: Fraction) -> str:
    return numbers.points(points)


def _colour(school) -> str | None:
    return (school.colours or "").split(",")[0].strip() or None


def _text(title: str, summary: str = "") -> charts.ChartText:
    return charts.ChartText(
        title=title,
        summary=summary,
        rank=_("Rank"),
        points=_("Points"),
        titles=_("Titles"),
        unknown=_("not known"),
        at_least=_("at least %(count)s", count="{}"),
        colon=typography.sign(":", str(get_locale())),
        semicolon=typography.sign(";", str(get_locale())),
    )


def ranking_bars(view, chart_id: str = "ranking-chart") -> Markup:
    """Points per school beside the general ranking (the table's numbers); none before the first result."""
    if view.standing.before_first_result:
        return Markup("")
    rows = [
        charts.BarRow(r.school.slug, r.rank, r.school.name, r.points, _colour(r.school))
        for r in view.standing.rows
        if r.points is not None
    ]
    return _trusted(charts.bar_chart(rows, chart_id=chart_id, text=_text(_("Points per school")), fmt=_fmt))


def race(view, chart_id: str = "race-chart", short: bool = False) -> Markup:
    """Cumulative points through the event, from the time each result was recorded; ``short``: schools by
    their short names (the big screen, where a long name would be cut)."""
    if not view.race:
        return Markup("")
    by_id = {r.school.id: r.school for r in view.standing.rows}
    schools = [charts.Series(s.slug, s.short_name if short else s.name, _colour(s)) for s in by_id.values()]
    steps = [charts.RaceStep(view.race[0].at, {})]  # everyone starts from 0
    steps += [
        charts.RaceStep(step.at, {by_id[k].slug: v for k, v in step.totals.items() if k in by_id}) for step in view.race
    ]
    text = _text(_("The race"), _("Points of each school as results were recorded (corrections included)."))
    svg = charts.race_chart(
        steps, schools, chart_id=chart_id, text=text, fmt=_fmt, time_fmt=lambda t: _race_time(t, steps)
    )
    return _trusted(svg)


def _race_time(t: datetime, steps) -> str:
    span = steps[-1].time - steps[0].time
    return format_datetime(t, "EEE HH:mm" if span.days >= 1 else "HH:mm")


def school_history(school, rows, chart_id: str = "history-chart") -> Markup:
    """A school's rank edition by edition (rows: (standing, row) newest first); gaps where unknown."""
    points = [
        charts.HistoryPoint(standing.edition.year, row.rank if row else None, row.points if row else None)
        for standing, row in reversed(rows)
        if standing.edition.status.value == "finished"
    ]
    if not any(p.rank for p in points):
        return Markup("")
    text = _text(_("Rank edition by edition"), _("%(school)s: rank in each edition.", school=school.name))
    svg = charts.history_chart(points, chart_id=chart_id, text=text, colour=_colour(school), fmt=_fmt)
    return _trusted(svg)


def titles(records, schools, chart_id: str = "titles-chart") -> Markup:
    """Titles per school over time: a square for each edition won."""
    counted = [p for p in records.palmares if not p.cancelled]
    years = [charts.TitleYear(p.year, tuple(schools[w].slug for w in p.winners)) for p in counted]
    won = Counter(w for p in counted for w in p.winners)
    prior = {schools[t.school].slug: t.count - won[t.school] for t in records.titles if t.count > won[t.school]}
    series = [charts.Series(s.slug, s.name, _colour(s)) for s in schools.values()]
    text = _text(_("Titles over time"), _("A square for each edition won."))
    at_least = {schools[t.school].slug for t in records.titles if t.at_least}
    return _trusted(charts.titles_chart(years, series, chart_id=chart_id, text=text, prior=prior, at_least=at_least))


def bracket(view, names: dict[str, str], chart_id: str = "bracket") -> Markup:
    """A discipline's classification matches drawn (cartel.core.charts.bracket_chart): a column per round
    (how many matches a match waits on before it), each box its two teams and their scores."""
    standing = view.standing
    if standing.races or not standing.format.bracket:
        return Markup("")
    fixtures = {f.code: f for f in standing.format.bracket}
    depth: dict[str, int] = {}

    def column(code: str) -> int:
        if code not in depth:
            feeders = [s.ref for s in (fixtures[code].home, fixtures[code].away) if s.kind in (From.WINNER, From.LOSER)]
            depth[code] = 1 + max((column(c) for c in feeders if c in fixtures), default=-1)
        return depth[code]

    rows: Counter[int] = Counter()
    boxes = []
    for code, fixture in fixtures.items():
        col = column(code)
        slots = standing.resolution.slots.get(code, (None, None))
        match = standing.matches[code]
        sheet = standing.sheets.get(code) if match.state.value != "scheduled" else None
        scores, winner = ("", ""), None
        if sheet is not None:
            result = sheet.result(standing.rules)
            home, away = result.sides(standing.rules)
            scores = (str(home.score), str(away.score))
            if match.state.value == "final":
                won = result.won_by(standing.rules)
                winner = None if won is None else (0 if won == "home" else 1)
        feeds = tuple(
            (s.ref, "loser" if s.kind is From.LOSER else "winner")
            for s in (fixture.home, fixture.away)
            if s.kind in (From.WINNER, From.LOSER)
        )
        boxes.append(
            charts.BracketBox(
                code,
                col,
                rows[col],
                match_name(code),
                (team_name(slots[0], names), team_name(slots[1], names)),
                scores,
                winner,
                feeds,
            )
        )
        rows[col] += 1
    title = _("Classification matches")
    summary = _("The same matches are listed below the drawing.")
    return _trusted(charts.bracket_chart(boxes, chart_id=chart_id, title=title, summary=summary))
