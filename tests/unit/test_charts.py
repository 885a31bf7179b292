"""SVG charts: read back as XML, their marks checked against the numbers they draw."""

import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cartel.core.charts import (
    PALETTE,
    BarRow,
    ChartText,
    HistoryPoint,
    RaceStep,
    Series,
    TitleYear,
    bar_chart,
    history_chart,
    race_chart,
    titles_chart,
)

NS = "{http://www.w3.org/2000/svg}"
TEXT = ChartText("Points per school", summary="General ranking.", unknown="not known")
NASTY = '<script>&"'
START = datetime(2026, 5, 1, 9, 0)


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def marks(root: ET.Element, tag: str, cls: str | None = None) -> list[ET.Element]:
    return [e for e in root.iter(NS + tag) if cls is None or cls in e.get("class", "").split()]


def num(e: ET.Element, name: str) -> float:
    return float(e.get(name))


def ranking(*points) -> list[BarRow]:
    return [BarRow(f"s{i}", i + 1, f"School {i}", Fraction(p)) for i, p in enumerate(points)]


def french(value: Fraction) -> str:
    return f"{float(value):.2f}".rstrip("0").rstrip(".").replace(".", ",")


def every_chart() -> list[str]:
    schools = [Series("ales", "Alès", "#1d3f8f"), Series("bad", NASTY, "red"), Series("albi", "Albi")]
    steps = [
        RaceStep(START, {}),
        RaceStep(START + timedelta(hours=2), {"ales": Fraction(10), "bad": Fraction(-5)}),
        RaceStep(START + timedelta(hours=5), {"albi": Fraction(20, 3)}),
    ]
    history = [HistoryPoint(1990, 3, Fraction(100)), HistoryPoint(1991, None), HistoryPoint(1993, 1)]
    titles = [TitleYear(1990, ("ales",)), TitleYear(1991, ()), TitleYear(1992, ("bad", "ales"))]
    rows = [BarRow("bad", 1, NASTY, Fraction(20, 3), "#fff"), BarRow("ales", 2, "Alès", Fraction(-4))]
    return [
        bar_chart(rows, chart_id="bar", text=TEXT, fmt=french),
        race_chart(steps, schools, chart_id="race", text=TEXT, fmt=french),
        history_chart(history, chart_id="history", text=TEXT),
        titles_chart(titles, schools, chart_id="titles", text=TEXT),
    ]


def test_bars_are_proportional_to_points_in_ranking_order():
    root = parse(bar_chart(ranking(325, 300, Fraction(20, 3)), chart_id="c", text=TEXT))
    bars = marks(root, "rect", "chart-bar")
    assert [b.get("data-school") for b in bars] == ["s0", "s1", "s2"]
    assert [Fraction(b.get("data-points")) for b in bars] == [325, 300, Fraction(20, 3)]
    assert [num(b, "y") for b in bars] == sorted(num(b, "y") for b in bars)
    scale = num(bars[0], "width") / 325
    for bar in bars:
        assert num(bar, "width") == pytest.approx(float(Fraction(bar.get("data-points"))) * scale, abs=0.11)


def test_negative_points_grow_left_of_the_zero_baseline():
    root = parse(bar_chart(ranking(10, 0, -5), chart_id="c", text=TEXT))
    axis = marks(root, "line", "chart-axis")
    zero = num(axis[0], "x1")
    assert len(axis) == 3 and all(num(line, "x1") == num(line, "x2") == zero for line in axis)
    ten, nil, minus = marks(root, "rect", "chart-bar")
    assert num(ten, "x") == zero and num(nil, "width") == 0
    assert num(minus, "x") + num(minus, "width") == pytest.approx(zero, abs=0.11)
    assert num(ten, "width") == pytest.approx(2 * num(minus, "width"), abs=0.2)
    values = [t.text for t in marks(root, "text")]
    assert values[-1] == "-5" and float(marks(root, "text")[-1].get("x")) < num(minus, "x")


@pytest.mark.parametrize("points", [(0, 0, 0), (42,), (-3,)])
def test_all_zero_and_single_rows_still_draw(points):
    bars = marks(parse(bar_chart(ranking(*points), chart_id="c", text=TEXT)), "rect", "chart-bar")
    assert [Fraction(b.get("data-points")) for b in bars] == list(points)


def test_nothing_to_draw_gives_an_empty_string():
    assert bar_chart([], chart_id="c", text=TEXT) == ""
    assert race_chart([], [Series("a", "A")], chart_id="c", text=TEXT) == ""
    assert race_chart([RaceStep(START, {})], [], chart_id="c", text=TEXT) == ""
    assert history_chart([], chart_id="c", text=TEXT) == ""
    assert titles_chart([TitleYear(2000, ())], [Series("a", "A")], chart_id="c", text=TEXT) == ""


def test_names_from_data_are_escaped():
    bar, race, _, titles = every_chart()
    for svg in (bar, race, titles):
        assert "<script" not in svg
        root = parse(svg)
        assert any((t.text or "").startswith(NASTY) for t in root.iter(NS + "text"))
        assert NASTY in root.find(NS + "desc").text
    nasty_key = [BarRow(NASTY, 1, "x", Fraction(1))]
    (bar,) = marks(parse(bar_chart(nasty_key, chart_id="c", text=TEXT)), "rect", "chart-bar")
    assert bar.get("data-school") == NASTY


def test_no_style_script_or_event_attribute_anywhere():
    for svg in every_chart():
        for element in parse(svg).iter():
            assert element.tag not in (NS + "style", NS + "script", NS + "foreignObject")
            assert not any(name == "style" or name.startswith("on") for name in element.attrib)


def test_title_and_description_label_the_chart():
    for svg, chart_id in zip(every_chart(), ["bar", "race", "history", "titles"], strict=True):
        root = parse(svg)
        assert root.get("role") == "img" and root.get("width") == "100%" and root.get("viewBox")
        title, desc = root[0], root[1]
        assert (title.tag, desc.tag) == (NS + "title", NS + "desc")
        assert (
            root.get("aria-labelledby").split()
            == [title.get("id"), desc.get("id")]
            == [
                f"{chart_id}-title",
                f"{chart_id}-desc",
            ]
        )
        assert title.text == "Points per school" and desc.text.startswith("General ranking. ")


def test_numbers_are_written_by_the_callers_format():
    root = parse(every_chart()[0])
    assert "6,67" in [t.text for t in marks(root, "text")]
    assert '1. <script>&": 6,67; 2. Alès: -4' in root.find(NS + "desc").text


def test_coordinates_have_at_most_one_decimal():
    for svg in every_chart():
        for element in parse(svg).iter():
            for name in ("x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "width", "height", "d"):
                assert not re.search(r"\d\.\d\d|-0(?![.\d])", element.get(name, "")), (name, element.get(name))


def test_a_valid_school_colour_is_used_and_anything_else_falls_back_to_the_palette():
    rows = [BarRow(k, 1, k, Fraction(1), c) for k, c in [("a", "#1D3F8F"), ("b", "red"), ("c", "#123"), ("d", None)]]
    fills = [b.get("fill") for b in marks(parse(bar_chart(rows, chart_id="c", text=TEXT)), "rect", "chart-bar")]
    assert fills == ["#1d3f8f", PALETTE[0], PALETTE[1], PALETTE[2]]


def test_lines_are_dashed_once_the_palette_wraps():
    schools = [Series(i, f"S{i}") for i in range(len(PALETTE) + 1)]
    lines = marks(parse(race_chart([RaceStep(START, {})], schools, chart_id="c", text=TEXT)), "path", "chart-line")
    assert [line.get("stroke-dasharray") for line in lines] == [None] * len(PALETTE) + ["6 3"]


def test_a_chart_id_must_be_a_plain_identifier():
    with pytest.raises(ValueError):
        bar_chart(ranking(1), chart_id='x" onload="alert(1)', text=TEXT)


def test_output_is_deterministic_whatever_the_order_of_the_totals():
    schools = [Series("a", "A"), Series("b", "B")]
    forward = [RaceStep(START, {"a": Fraction(1), "b": Fraction(2)})]
    backward = [RaceStep(START, {"b": Fraction(2), "a": Fraction(1)})]
    draw = [race_chart(steps, schools, chart_id="c", text=TEXT) for steps in (forward, backward)]
    assert draw[0] == draw[1]
    assert every_chart() == every_chart()


def race_lines(svg: str) -> dict[str, list[Fraction]]:
    lines = marks(parse(svg), "path", "chart-line")
    return {line.get("data-school"): [Fraction(v) for v in line.get("data-values").split()] for line in lines}


def test_race_ends_at_the_final_totals_and_carries_totals_forward():
    schools = [Series("ales", "Alès"), Series("albi", "Albi"), Series("lille", "Lille")]
    steps = [
        RaceStep(START + timedelta(hours=1), {"ales": Fraction(10)}),
        RaceStep(START, {}),  # out of order: sorted by time
        RaceStep(START + timedelta(hours=3), {"albi": Fraction(20, 3), "lille": Fraction(-5)}),
    ]
    svg = race_chart(steps, schools, chart_id="c", text=TEXT)
    assert race_lines(svg) == {"ales": [0, 10, 10], "albi": [0, 0, Fraction(20, 3)], "lille": [0, 0, -5]}
    ends = {d.get("data-school"): Fraction(d.get("data-points")) for d in marks(parse(svg), "circle", "chart-dot")}
    assert ends == {"ales": 10, "albi": Fraction(20, 3), "lille": -5}
    assert parse(svg).get("data-times").split()[0] == START.isoformat()


def test_race_with_one_step_or_equal_times_still_draws():
    schools = [Series("a", "A"), Series("b", "B")]
    single = race_chart([RaceStep(START, {"a": Fraction(3)})], schools, chart_id="c", text=TEXT)
    assert race_lines(single) == {"a": [3], "b": [0]}
    same = [RaceStep(START, {"a": Fraction(3)}), RaceStep(START, {"a": Fraction(5)})]
    assert race_lines(race_chart(same, schools, chart_id="c", text=TEXT))["a"] == [3, 5]


def test_race_end_labels_never_overlap():
    schools = [Series(i, f"School {i}") for i in range(12)]
    steps = [RaceStep(START, {i: Fraction(i % 2) for i in range(12)})]
    labels = marks(parse(race_chart(steps, schools, chart_id="c", text=TEXT)), "text", "chart-text")
    ys = sorted(num(t, "y") for t in labels)
    assert len(ys) == 12 and all(b - a >= 12.9 for a, b in zip(ys, ys[1:], strict=False))


def history_line(svg: str) -> str:
    lines = marks(parse(svg), "path", "chart-line")
    return lines[0].get("d") if lines else ""


def test_history_breaks_the_line_at_unknown_ranks_and_missing_years():
    known = [HistoryPoint(y, r) for y, r in [(2000, 1), (2001, 2), (2003, 3), (2004, 1)]]
    assert history_line(history_chart(known, chart_id="c", text=TEXT)).count("M") == 2
    unknown = [*known[:2], HistoryPoint(2002, None), *known[2:]]
    svg = history_chart(unknown, chart_id="c", text=TEXT)
    assert history_line(svg).count("M") == 2
    assert [b.get("data-years") for b in marks(parse(svg), "rect", "chart-unknown") if b.get("data-years")] == ["2002"]
    isolated = [HistoryPoint(1960, 4), HistoryPoint(1961, None), HistoryPoint(1962, 2)]
    svg = history_chart(isolated, chart_id="c", text=TEXT)
    assert history_line(svg) == "" and len(marks(parse(svg), "circle", "chart-dot")) == 2


def test_history_puts_the_first_rank_at_the_top():
    points = [HistoryPoint(2000, 3, Fraction(200)), HistoryPoint(2001, 1, None)]
    dots = marks(parse(history_chart(points, chart_id="c", text=TEXT, max_rank=12)), "circle", "chart-dot")
    assert [(d.get("data-year"), d.get("data-rank"), d.get("data-points")) for d in dots] == [
        ("2000", "3", "200"),
        ("2001", "1", None),
    ]
    assert num(dots[1], "cy") < num(dots[0], "cy")


def test_history_over_seventy_years_keeps_few_year_labels():
    points = [HistoryPoint(y, 1 if y % 3 else None) for y in range(1953, 2027)]
    root = parse(history_chart(points, chart_id="c", text=TEXT))
    years = [t.text for t in marks(root, "text") if t.text and t.text.isdigit() and len(t.text) == 4]
    assert 3 <= len(years) <= 7 and all(int(y) % 10 == 0 for y in years)


def test_titles_count_prior_and_shared_titles_for_schools_with_one():
    schools = [Series("ales", "Alès"), Series("albi", "Albi"), Series("nancy", "Nancy"), Series("none", "None")]
    years = [TitleYear(2000, ("ales",)), TitleYear(2001, ()), TitleYear(2002, ("albi", "ales"))]
    root = parse(titles_chart(years, schools, chart_id="c", text=TEXT, prior={"nancy": 3}))
    rows = [(g.get("data-school"), int(g.get("data-titles"))) for g in marks(root, "g", "chart-row")]
    assert rows == [("nancy", 3), ("ales", 2), ("albi", 1)]
    squares = [(s.get("data-school"), s.get("data-year")) for s in marks(root, "rect", "chart-title")]
    assert squares == [("ales", "2000"), ("ales", "2002"), ("albi", "2002")]
    assert [b.get("data-years") for b in marks(root, "rect", "chart-unknown") if b.get("data-years")] == ["2001"]


bar_rows = st.lists(
    st.builds(
        BarRow,
        school=st.sampled_from(["ales", "albi", NASTY, "é"]),
        rank=st.none() | st.integers(1, 12),
        label=st.text(max_size=40),
        points=st.fractions(min_value=-1000, max_value=1000, max_denominator=12),
        colour=st.none() | st.text(max_size=8) | st.sampled_from(["#1d3f8f", "#FFFFFF"]),
    ),
    max_size=14,
)


@given(bar_rows)
def test_any_ranking_parses_and_its_points_round_trip(rows):
    svg = bar_chart(rows, chart_id="c", text=TEXT)
    if not rows:
        assert svg == ""
        return
    bars = marks(parse(svg), "rect", "chart-bar")
    drawn = [(b.get("data-school"), Fraction(b.get("data-points"))) for b in bars]
    assert drawn == [(r.school, r.points) for r in rows]
    biggest = max(bars, key=lambda b: abs(Fraction(b.get("data-points"))))
    if (top := abs(Fraction(biggest.get("data-points")))) > 0:
        scale = num(biggest, "width") / float(top)
        for bar in bars:
            assert num(bar, "width") == pytest.approx(abs(float(Fraction(bar.get("data-points")))) * scale, abs=0.11)


@given(
    st.lists(
        st.tuples(
            st.integers(0, 72 * 60),
            st.dictionaries(st.sampled_from("abc"), st.fractions(-500, 500, max_denominator=6)),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_any_race_parses_and_ends_at_the_last_known_totals(moments):
    steps = [RaceStep(START + timedelta(minutes=m), totals) for m, totals in moments]
    schools = [Series(k, k.upper()) for k in "abc"]
    final = {k: Fraction(0) for k in "abc"}
    for step in sorted(steps, key=lambda s: s.time):
        final |= step.totals
    lines = race_lines(race_chart(steps, schools, chart_id="c", text=TEXT))
    assert {k: values[-1] for k, values in lines.items()} == final
    assert all(len(values) == len(steps) for values in lines.values())
