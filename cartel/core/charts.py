"""Server-side SVG charts: an edition's ranking, the race through it, a school's history, titles.

Pure: no Flask, standard library only. Each function returns one ``<svg>`` element as a string, or ""
when there is nothing to draw (the caller then leaves the figure out; the table beside it says why).
The caller marks the string safe and inlines it. It fits a strict Content-Security-Policy: no script,
no style attribute or element; presentation attributes give a readable default and ``chart-*``
classes let the site CSS restyle it (chart-text and chart-muted for words, chart-bar, chart-line, chart-dot,
chart-title for marks, chart-grid, chart-axis, chart-unknown for the frame). Texts from data are escaped.
The viewBox is 400 units wide at width 100%: legible on a 360 px phone; cap the width with CSS on wide screens.

Each mark carries the numbers it draws, for tests and curious readers: ``data-school`` (``str`` of the
key), ``data-points`` as an exact fraction in ``str(Fraction)`` form ("325", "20/3", "-5"),
``data-rank``, ``data-year``. Words (title, axis names, "not known") come translated in ``ChartText``;
numbers and times are written by the caller's ``fmt`` and ``time_fmt``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction
from html import escape

from cartel.core.scoring import format_points

Key = Hashable
Format = Callable[[Fraction], str]

WIDTH = 400  # viewBox width: about one unit per CSS pixel on a phone, so 12 units read as 12 px
PAD = 8
FONT = 12
# Okabe-Ito, told apart under the common colour blindnesses; yellow last, it is the faintest on white.
PALETTE = ("#0072b2", "#e69f00", "#009e73", "#d55e00", "#cc79a7", "#56b4e9", "#000000", "#f0e442")
TEXT = "#1f1f1f"  # text is never drawn in a series colour: this keeps it above 4.5:1 on white
MUTED = "#595959"
GRID = "#d9d9d9"
EDGE = "#404040"  # outline of marks whose colour is too faint on white
UNKNOWN = "#ededed"

_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
_CHART_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_TIME_STEPS = (
    *(timedelta(minutes=m) for m in (1, 5, 10, 15, 30)),
    *(timedelta(hours=h) for h in (1, 2, 3, 6, 12)),
    *(timedelta(days=d) for d in (1, 2, 7, 14, 28)),
)


@dataclass(frozen=True)
class ChartText:
    """The words of a chart, translated by the caller. ``summary`` opens the description that the
    chart then completes with its data."""

    title: str
    summary: str = ""
    rank: str = "Rank"
    points: str = "Points"
    titles: str = "Titles"
    unknown: str = "not known"
    at_least: str = "≥ {}"  # a count some unknown winner may make larger: "au moins 32"
    colon: str = ": "  # "label: value", as the language writes it (French: a narrow space before the sign)
    semicolon: str = "; "


@dataclass(frozen=True)
class Series:
    """A school as drawn: its key, its name and its colour ("#1d3f8f"; anything else is ignored)."""

    key: Key
    label: str
    colour: str | None = None


@dataclass(frozen=True)
class BarRow:
    """One line of a ranking, in ranking order."""

    school: Key
    rank: int | None
    label: str
    points: Fraction
    colour: str | None = None


@dataclass(frozen=True)
class RaceStep:
    """Cumulative points after a moment. A school missing from ``totals`` keeps its previous total (0 at first)."""

    time: datetime
    totals: Mapping[Key, Fraction]


@dataclass(frozen=True)
class HistoryPoint:
    year: int
    rank: int | None
    points: Fraction | None = None


@dataclass(frozen=True)
class TitleYear:
    """An edition's winners; empty when the winner is not known. Years without an edition are left out."""

    year: int
    winners: tuple[Key, ...]


def bar_chart(rows: Sequence[BarRow], *, chart_id: str, text: ChartText, fmt: Format = format_points) -> str:
    """Points per school as horizontal bars from a zero baseline, the rank and name above each bar and
    the value at its end (left of a negative bar). Each ``<rect>`` carries data-school, data-rank and
    data-points. "" when there are no rows."""
    if not rows:
        return ""
    values = [fmt(r.points) for r in rows]
    lo, hi = min(Fraction(0), *(r.points for r in rows)), max(Fraction(0), *(r.points for r in rows))
    neg_room = max((_width(values[i]) + 4 for i, r in enumerate(rows) if r.points < 0), default=0)
    pos_room = max((_width(values[i]) + 4 for i, r in enumerate(rows) if r.points >= 0), default=0)
    left, right, span = PAD + neg_room, WIDTH - PAD - pos_room, (hi - lo) or 1

    def x_of(v: Fraction) -> float:
        return left + float((v - lo) / span) * (right - left)

    rank_room = max((_width(str(r.rank)) for r in rows if r.rank is not None), default=-6)
    label_x = PAD + rank_room + 6
    zero, top, row_h = x_of(Fraction(0)), 6, 36
    colours = _colours([r.colour for r in rows])
    body, desc = [], []
    for i, row in enumerate(rows):
        y, end, colour = top + i * row_h, x_of(row.points), colours[i][0]
        if row.rank is not None:
            body.append(_text_el(PAD + rank_room, y + 13, _esc(row.rank), anchor="end", weight="600"))
        body.append(_text_el(label_x, y + 13, _esc(_fit(row.label, WIDTH - PAD - label_x))))
        box = dict(x=min(zero, end), y=y + 17, width=abs(end - zero), height=14, fill=colour, **_edge(colour))
        data = dict(data_school=row.school, data_rank=row.rank, data_points=str(row.points))
        body.append(_el("rect", **box, class_="chart-bar", **data))
        value_x, anchor = (end - 4, "end") if row.points < 0 else (end + 4, None)
        body.append(_text_el(value_x, y + 28, _esc(values[i]), anchor=anchor))
        desc.append(("" if row.rank is None else f"{row.rank}. ") + f"{row.label}{text.colon}{values[i]}")
        body.append(_line(zero, y + 15, zero, y + 33, stroke=MUTED, cls="chart-axis"))  # zero, beside each bar only
    bottom = top + len(rows) * row_h
    return _svg("bar", chart_id, text, text.semicolon.join(desc), bottom + 4, body)


def race_chart(
    steps: Sequence[RaceStep],
    schools: Sequence[Series],
    *,
    chart_id: str,
    text: ChartText,
    fmt: Format = format_points,
    time_fmt: Callable[[datetime], str] = lambda t: t.strftime("%H:%M"),
) -> str:
    """Cumulative points of each school through an edition, as step lines against time, each ending
    with its name and total (labels nudged apart so they never overlap). Lines start at the first step:
    prepend a step with empty totals to start everyone from 0. Each line's ``<path>`` carries
    data-school and data-values (its total at each step, in time order; the root's data-times lists
    the steps' ISO times); each end dot carries data-school and data-points. "" without steps or schools."""
    schools = _unique(schools)
    if not steps or not schools:
        return ""
    steps = sorted(steps, key=lambda s: s.time)  # stable: steps at the same time keep their order
    running = {s.key: Fraction(0) for s in schools}
    values: dict[Key, list[Fraction]] = {s.key: [] for s in schools}
    for step in steps:
        for key in running:
            running[key] = Fraction(step.totals.get(key, running[key]))
            values[key].append(running[key])
    drawn = [v for series in values.values() for v in series]
    ticks = _nice_ticks(min(Fraction(0), *drawn), max(Fraction(0), *drawn))
    t0, t1 = steps[0].time, steps[-1].time
    gap = 13
    ends = {s.key: f"{_fit(s.label, 90, 11)} {fmt(running[s.key])}" for s in schools}
    left = PAD + max(_width(fmt(t), 11) for t in ticks) + 4
    right = WIDTH - PAD - max(_width(e, 11) for e in ends.values()) - 14
    top, plot_h = 22, max(220, len(schools) * gap)
    bottom = top + plot_h

    def x_of(t: datetime) -> float:
        return right if t1 == t0 else left + (t - t0) / (t1 - t0) * (right - left)

    def y_of(v: Fraction) -> float:
        return bottom - float((v - ticks[0]) / (ticks[-1] - ticks[0])) * plot_h

    body = [_text_el(PAD, 12, _esc(text.points), fill=MUTED, size=11)]
    for t in ticks:
        body.append(_line(left, y_of(t), right, y_of(t), stroke=MUTED if t == 0 else GRID))
        body.append(_text_el(left - 4, y_of(t) + 4, _esc(fmt(t)), anchor="end", fill=MUTED, size=11))
    for moment in _time_ticks(t0, t1, max(2, int((right - left) // 55))):
        label = time_fmt(moment)
        x = min(max(x_of(moment), PAD + _width(label, 11) / 2), WIDTH - PAD - _width(label, 11) / 2)
        body.append(_line(x_of(moment), top, x_of(moment), bottom))
        body.append(_text_el(x, bottom + 16, _esc(label), anchor="middle", fill=MUTED, size=11))
    xs = [x_of(s.time) for s in steps]
    labels = []
    for school, (colour, dash) in zip(schools, _colours([s.colour for s in schools]), strict=True):
        ys = [y_of(v) for v in values[school.key]]
        data = " ".join(str(v) for v in values[school.key])
        body.append(_path(_step_path(xs, ys), colour, dash, data_school=school.key, data_values=data))
        body.append(_dot(xs[-1], ys[-1], 3, colour, data_school=school.key, data_points=str(running[school.key])))
        labels.append((ys[-1], school.label, school.key, colour))
    labels.sort(key=lambda item: (item[0], item[1], str(item[2])))
    for (y, _, key, colour), y_label in zip(labels, _spread([y for y, *_ in labels], gap, top, bottom), strict=True):
        body.append(_line(right + 4, y, right + 11, y_label, stroke=colour, cls="chart-leader"))
        body.append(_text_el(right + 13, y_label + 4, _esc(ends[key]), size=11))
    desc = f"{time_fmt(t0)} – {time_fmt(t1)}{text.colon}" + text.semicolon.join(
        f"{s.label}{text.colon}{fmt(running[s.key])}" for s in sorted(schools, key=lambda s: (-running[s.key], s.label))
    )
    times = " ".join(s.time.isoformat() for s in steps)
    return _svg("race", chart_id, text, desc, bottom + 24, body, data_times=times)


def history_chart(
    points: Sequence[HistoryPoint],
    *,
    chart_id: str,
    text: ChartText,
    colour: str | None = None,
    max_rank: int | None = None,
    fmt: Format = format_points,
) -> str:
    """A school's rank over the years, 1st at the top. The line joins consecutive years only: an unknown
    rank or a missing year breaks it and shades the year as not known. Points are not drawn (a second
    scale would not read on a phone): they are in each dot's tooltip, its data-points and the description.
    The line is one ``<path class="chart-line">`` with one ``M`` per run of two or more known years;
    each ``<circle>`` carries data-year, data-rank and data-points (when known). "" without points."""
    if not points:
        return ""
    by_year = {p.year: p for p in points}
    known = {y: p for y, p in by_year.items() if p.rank is not None}
    ranks = {y: p.rank for y, p in by_year.items() if p.rank is not None}  # the ranks of ``known``
    first, last = min(by_year), max(by_year)
    worst = max(2, max_rank or 1, *ranks.values())
    left, right = PAD + _width(str(worst), 11) + 6, WIDTH - PAD - 4
    top, plot_h = 22, min(260, max(120, (worst - 1) * 16))
    bottom = top + plot_h

    def x_of(year: float) -> float:
        return left + (year - first + 0.5) / (last - first + 1) * (right - left)

    def y_of(rank: int) -> float:
        return top + (rank - 1) / (worst - 1) * plot_h

    body = [_text_el(PAD, 12, _esc(text.rank), fill=MUTED, size=11)]
    unknown = _runs([y for y in range(first, last + 1) if y not in known])
    body += [_unknown_band(x_of(a - 0.5), top, x_of(b + 0.5), bottom, a, b) for a, b in unknown]
    step = next((s for s in (1, 2, 5, 10, 20, 50) if worst // s + 1 <= 7), worst - 1)
    for rank in sorted({1, *range(step, worst + 1, step)}):
        body.append(_line(left, y_of(rank), right, y_of(rank)))
        body.append(_text_el(left - 4, y_of(rank) + 4, str(rank), anchor="end", fill=MUTED, size=11))
    body += _year_axis(first, last, x_of, bottom, top)
    colour, _ = _colours([colour])[0]
    runs = [(a, b) for a, b in _runs(sorted(known)) if b > a]
    if runs:
        d = "".join("M" + "L".join(f"{_n(x_of(y))} {_n(y_of(ranks[y]))}" for y in range(a, b + 1)) for a, b in runs)
        body.append(_path(d, colour))
    radius = max(2.5, min(3.5, (right - left) / (last - first + 1) * 0.4))
    for year in sorted(known):
        p = known[year]
        tip = f"{year} · {text.rank} {p.rank}" + ("" if p.points is None else f" · {text.points} {fmt(p.points)}")
        data = dict(data_year=year, data_rank=p.rank, data_points=None if p.points is None else str(p.points))
        body.append(_dot(x_of(year), y_of(ranks[year]), radius, colour, _el("title", _esc(tip)), **data))
    height = bottom + 24
    if unknown:
        body.append(_unknown_legend(height, text))
        height += 18
    parts = {
        y: f"{y}{text.colon}{p.rank}" + ("" if p.points is None else f" ({fmt(p.points)})") for y, p in known.items()
    }
    parts |= {a: f"{a}{'' if a == b else f'–{b}'}{text.colon}{text.unknown}" for a, b in unknown}
    return _svg("history", chart_id, text, text.semicolon.join(parts[y] for y in sorted(parts)), height, body)


def titles_chart(
    years: Sequence[TitleYear],
    schools: Sequence[Series],
    *,
    chart_id: str,
    text: ChartText,
    prior: Mapping[Key, int] | None = None,
    at_least: Collection[Key] = (),
) -> str:
    """Titles per school as a dot matrix: one strip per school with a title, a square for each year it
    won, most titles first. Chosen over cumulative lines because on a phone a dominant school flattens
    the others' lines into a heap at the bottom, while strips show every title, shared titles and
    streaks (runs of squares) at any count. ``prior`` adds titles won before the first year given to the
    count written at the end of the strip. Years given with no winner are shaded as not known.
    ``at_least``: the schools whose count is a minimum (an edition's winner is not known), written as the
    tables write it. Each row ``<g>`` carries data-school and data-titles, each square data-school and data-year.
    "" without years or when no school has a title."""
    schools, prior = _unique(schools), prior or {}
    won: dict[Key, list[int]] = {s.key: [] for s in schools}
    for edition in sorted(years, key=lambda e: e.year):
        for school in dict.fromkeys(edition.winners):
            if school in won:
                won[school].append(edition.year)
    counts = {s.key: prior.get(s.key, 0) + len(won[s.key]) for s in schools}

    def shown(key: Key) -> str:
        return text.at_least.format(counts[key]) if key in at_least else str(counts[key])

    colours = dict(zip((s.key for s in schools), _colours([s.colour for s in schools]), strict=True))
    rows = sorted((s for s in schools if counts[s.key] > 0), key=lambda s: (-counts[s.key], s.label, str(s.key)))
    if not years or not rows:
        return ""
    first, last = min(e.year for e in years), max(e.year for e in years)
    left, right, top, row_h = PAD, WIDTH - PAD, 22, 36
    bottom = top + len(rows) * row_h

    def x_of(year: float) -> float:
        return left + (year - first + 0.5) / (last - first + 1) * (right - left)

    cell = max(1.5, min(12, (right - left) / (last - first + 1) - 1))
    body = [_text_el(right, 12, _esc(text.titles), anchor="end", fill=MUTED, size=11)]
    unknown = _runs(sorted({e.year for e in years if not e.winners}))
    body += [_unknown_band(x_of(a - 0.5), top, x_of(b + 0.5), bottom, a, b) for a, b in unknown]
    body += _year_axis(first, last, x_of, bottom, top)
    for i, school in enumerate(rows):
        y = top + i * row_h
        colour = colours[school.key][0]
        row = [
            _text_el(left, y + 13, _esc(_fit(school.label, right - left - 40))),
            _text_el(right, y + 13, _esc(shown(school.key)), anchor="end", weight="600"),
            _line(left, y + 24, right, y + 24, cls="chart-track"),
        ]
        for year in won[school.key]:
            square = dict(x=x_of(year) - cell / 2, y=y + 18, width=cell, height=12, fill=colour, **_edge(colour))
            row.append(_el("rect", class_="chart-title", data_school=school.key, data_year=year, **square))
        body.append(_el("g", "".join(row), class_="chart-row", data_school=school.key, data_titles=counts[school.key]))
    height = bottom + 24
    if unknown:
        body.append(_unknown_legend(height, text))
        height += 18
    desc = text.semicolon.join(
        f"{s.label}{text.colon}{shown(s.key)}" + (f" ({', '.join(map(str, won[s.key]))})" if won[s.key] else "")
        for s in rows
    )
    return _svg("titles", chart_id, text, desc, height, body)


@dataclass(frozen=True)
class BracketBox:
    """A bracket match as drawn: its place in the drawing (``column``: its round, from the first; ``row``:
    its order in the round), its name, its two teams and scores (``winner``: 0 or 1 once played), and the
    matches it takes its teams from (``feeds``: their codes, with "loser" when the loser comes on)."""

    code: str
    column: int
    row: int
    title: str
    teams: tuple[str, str]
    scores: tuple[str, str] = ("", "")
    winner: int | None = None
    feeds: tuple[tuple[str, str], ...] = ()


BOX_W, BOX_H, GAP_X, GAP_Y = 176.0, 58.0, 28.0, 14.0


def bracket_chart(boxes: Sequence[BracketBox], *, chart_id: str, title: str, summary: str = "") -> str:
    """A bracket: one column per round, a box per match with both teams and scores (the winner bold), a
    line from each match to the one its winner goes on to (dashed for its loser). Drawn at its own size
    (one unit a CSS pixel), for the page to scroll sideways on a phone rather than shrink the text."""
    if not boxes:
        return ""
    if not _CHART_ID.fullmatch(chart_id):
        raise ValueError(f"chart id {chart_id!r} is not a plain identifier")
    at = {b.code: (b.column * (BOX_W + GAP_X), 24 + b.row * (BOX_H + GAP_Y)) for b in boxes}
    width = max(x for x, _ in at.values()) + BOX_W + 4
    height = max(y for _, y in at.values()) + BOX_H + 4
    body: list[str] = []
    for box in boxes:
        x, y = at[box.code]
        for code, kind in box.feeds:
            if code not in at:
                continue
            fx, fy = at[code]
            x1, y1, x2, y2 = fx + BOX_W, fy + BOX_H / 2, x, y + BOX_H / 2
            mid = (x1 + x2) / 2
            d = f"M{_n(x1)} {_n(y1)} H{_n(mid)} V{_n(y2)} H{_n(x2)}"
            body.append(
                _el(
                    "path",
                    d=d,
                    fill="none",
                    stroke=MUTED,
                    stroke_width=1,
                    stroke_dasharray="4 3" if kind == "loser" else None,
                    class_="bracket-edge",
                )
            )
    for box in boxes:
        x, y = at[box.code]
        parts = [
            _el("rect", x=x, y=y, width=BOX_W, height=BOX_H, rx=4, fill="#ffffff", stroke=EDGE, stroke_width=1),
            _text_el(x + 6, y + 13, _esc(box.title), fill=MUTED, size=10),
        ]
        for k in (0, 1):
            ty = y + 30 + k * 18
            weight = "700" if box.winner == k else None
            name = box.teams[k] if len(box.teams[k]) <= 22 else box.teams[k][:21] + "…"
            parts.append(_text_el(x + 6, ty, _esc(name), weight=weight))
            parts.append(_text_el(x + BOX_W - 6, ty, _esc(box.scores[k]), anchor="end", weight=weight))
        body.append(_el("g", "".join(parts), class_="bracket-match", data_code=box.code))
    head = _el("title", _esc(title), id=f"{chart_id}-title") + _el("desc", _esc(summary), id=f"{chart_id}-desc")
    return _el(
        "svg",
        head + "".join(body),
        xmlns="http://www.w3.org/2000/svg",
        class_="chart chart-bracket",
        role="img",
        aria_labelledby=f"{chart_id}-title {chart_id}-desc",
        viewBox=f"0 0 {_n(width)} {_n(height)}",
        width=_n(width),
        height=_n(height),
        font_family="system-ui, sans-serif",
        font_size=FONT,
    )


def _svg(kind: str, chart_id: str, text: ChartText, data: str, height: float, body: list[str], **attrs: object) -> str:
    if not _CHART_ID.fullmatch(chart_id):
        raise ValueError(f"chart id {chart_id!r} is not a plain identifier")
    desc = " ".join(part for part in (text.summary, data) if part)
    head = _el("title", _esc(text.title), id=f"{chart_id}-title") + _el("desc", _esc(desc), id=f"{chart_id}-desc")
    labelled = dict(role="img", aria_labelledby=f"{chart_id}-title {chart_id}-desc")
    frame = dict(viewBox=f"0 0 {WIDTH} {_n(height)}", width="100%", preserveAspectRatio="xMidYMin meet")
    font = dict(font_family="system-ui, sans-serif", font_size=FONT)
    svg = dict(xmlns="http://www.w3.org/2000/svg", class_=f"chart chart-{kind}", **labelled, **frame, **font)
    return _el("svg", head + "".join(body), **svg, **attrs)


def _el(tag: str, content: str | None = None, /, **attrs: object) -> str:
    """An element; ``content`` is markup already escaped. Attribute names: ``class_`` is class, ``_`` is ``-``."""
    parts = [tag]
    for name, value in attrs.items():
        if value is None:
            continue
        if isinstance(value, float):
            value = _n(value)
        parts.append(f'{"class" if name == "class_" else name.replace("_", "-")}="{_esc(value)}"')
    head = " ".join(parts)
    return f"<{head}/>" if content is None else f"<{head}>{content}</{tag}>"


def _text_el(
    x: float,
    y: float,
    content: str,
    *,
    anchor: str | None = None,
    fill: str = TEXT,
    size: float | None = None,
    weight: str | None = None,
) -> str:
    cls = "chart-text" if fill == TEXT else "chart-muted"
    return _el("text", content, x=x, y=y, fill=fill, font_size=size, font_weight=weight, text_anchor=anchor, class_=cls)


def _line(x1: float, y1: float, x2: float, y2: float, *, stroke: str = GRID, cls: str = "chart-grid") -> str:
    return _el("line", x1=x1, y1=y1, x2=x2, y2=y2, stroke=stroke, class_=cls)


def _path(d: str, colour: str, dash: str | None = None, **data: object) -> str:
    """A series line, over a dark casing when its colour is faint on white."""
    casing = _el("path", d=d, fill="none", stroke=EDGE, stroke_width=3.5, class_="chart-casing")
    look = dict(fill="none", stroke=colour, stroke_width=2, stroke_dasharray=dash, stroke_linejoin="round")
    return (casing if _faint(colour) else "") + _el("path", d=d, **look, class_="chart-line", **data)


def _edge(colour: str) -> dict[str, object]:
    """A thin dark outline for a filled mark whose colour is faint on white."""
    return dict(stroke=EDGE, stroke_width=0.5) if _faint(colour) else {}


def _dot(x: float, y: float, r: float, colour: str, content: str | None = None, **data: object) -> str:
    edge = EDGE if _faint(colour) else "#ffffff"
    look = dict(fill=colour, stroke=edge, stroke_width=0.75, class_="chart-dot")
    return _el("circle", content, cx=x, cy=y, r=r, **look, **data)


def _unknown_band(x1: float, top: float, x2: float, bottom: float, a: int, b: int) -> str:
    box = dict(x=x1, y=top, width=x2 - x1, height=bottom - top, fill=UNKNOWN)
    return _el("rect", **box, class_="chart-unknown", data_years=f"{a}-{b}" if b > a else str(a))


def _unknown_legend(y: float, text: ChartText) -> str:
    swatch = _el("rect", x=PAD, y=y - 1, width=10, height=10, fill=UNKNOWN, stroke=GRID, class_="chart-unknown")
    return swatch + _text_el(PAD + 15, y + 8, _esc(text.unknown), fill=MUTED, size=11)


def _year_axis(first: int, last: int, x_of: Callable[[float], float], bottom: float, top: float) -> list[str]:
    """Ticks on round years: the smallest of 1, 2, 5, 10... years apart that leaves at most 7 labels."""
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100, 1000) if last // s - (first - 1) // s <= 7)
    out = []
    for year in range(-(-first // step) * step, last + 1, step):
        x = x_of(year)
        out.append(_line(x, top, x, bottom + 3))
        out.append(_text_el(x, bottom + 16, str(year), anchor="middle", fill=MUTED, size=11))
    return out


def _step_path(xs: list[float], ys: list[float]) -> str:
    d, current = [f"M{_n(xs[0])} {_n(ys[0])}"], ys[0]
    for x, y in zip(xs[1:], ys[1:], strict=True):
        if y != current:
            d.append(f"H{_n(x)}V{_n(y)}")
            current = y
    return "".join(d) + f"H{_n(xs[-1])}"


def _spread(wanted: list[float], gap: float, top: float, bottom: float) -> list[float]:
    """Positions as near the sorted ``wanted`` ones as can be while ``gap`` apart and within [top, bottom]."""
    placed: list[float] = []
    for y in wanted:
        placed.append(max(y, placed[-1] + gap if placed else top))
    if placed and placed[-1] > bottom:
        placed[-1] = bottom
        for i in range(len(placed) - 2, -1, -1):
            placed[i] = min(placed[i], placed[i + 1] - gap)
    return placed


def _nice_ticks(lo: Fraction, hi: Fraction, count: int = 5) -> list[Fraction]:
    """Round values (1, 2 or 5 times a power of ten, at least 1 apart) covering [lo, hi]."""
    raw = max(Fraction(hi - lo) / count, Fraction(1))
    power = Fraction(10) ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    start, end = math.floor(lo / step), max(math.ceil(hi / step), math.floor(lo / step) + 1)
    return [i * step for i in range(start, end + 1)]


def _time_ticks(t0: datetime, t1: datetime, count: int) -> list[datetime]:
    """Round times (on the quarter, the hour, midnight...) at most ``count`` of them between t0 and t1."""
    if t1 == t0:
        return [t0]
    step = next((s for s in _TIME_STEPS if (t1 - t0) / s <= count), (t1 - t0) / count)
    base = t0.replace(hour=0, minute=0, second=0, microsecond=0)
    tick, ticks = base + math.ceil((t0 - base) / step) * step, []
    while tick <= t1:
        ticks.append(tick)
        tick += step
    return ticks or [t0, t1]


def _runs(years: list[int]) -> list[tuple[int, int]]:
    """Consecutive sorted years as (first, last) pairs."""
    runs: list[tuple[int, int]] = []
    for year in years:
        if runs and runs[-1][1] == year - 1:
            runs[-1] = (runs[-1][0], year)
        else:
            runs.append((year, year))
    return runs


def _colours(given: Sequence[str | None]) -> list[tuple[str, str | None]]:
    """(colour, dash pattern) per series: its own colour when valid, else the palette in order,
    dashed once the palette has wrapped round."""
    out: list[tuple[str, str | None]] = []
    k = 0
    for colour in given:
        if isinstance(colour, str) and _COLOUR.fullmatch(colour):
            out.append((colour.lower(), None))
        else:
            out.append((PALETTE[k % len(PALETTE)], None if k < len(PALETTE) else "6 3"))
            k += 1
    return out


def _faint(colour: str) -> bool:
    """True when a mark of this colour has under 3:1 contrast with a white page (WCAG non-text contrast)."""

    def channel(h: str) -> float:
        c = int(h, 16) / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05) < 3


def _unique(schools: Sequence[Series]) -> list[Series]:
    """The schools in order, each key once (its first occurrence)."""
    first: dict[Key, Series] = {}
    for school in schools:
        first.setdefault(school.key, school)
    return list(first.values())


def _width(s: str, size: float = FONT) -> float:
    """Rough width of a text in a sans-serif font (0.58 em per character)."""
    return len(s) * size * 0.58


def _fit(s: str, room: float, size: float = FONT) -> str:
    """The text, cut with an ellipsis if it would not fit in ``room`` units."""
    most = max(4, int(room / (size * 0.58)))
    return s if len(s) <= most else s[: most - 1].rstrip() + "…"


def _n(x: float) -> str:
    """A coordinate with at most one decimal and no "-0"."""
    v = round(float(x), 1) + 0.0
    return str(int(v)) if v.is_integer() else f"{v:.1f}"


def _esc(value: object) -> str:
    """Text for XML: escaped, without the control characters XML forbids."""
    return escape(_NOT_XML.sub("", str(value)), quote=True)
