"""The points engine: hand-checked examples and properties."""

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cartel.core.scoring import (
    Adjustment,
    Finish,
    PointsTable,
    SchemeError,
    ScoringScheme,
    TieRule,
    check_places,
    discipline_points,
    format_points,
    rank_schools,
)

SCHEME = ScoringScheme(place_points=(10, 6, 4, 2))


def test_each_place_earns_its_points_times_the_weight():
    placements = [Finish("hb", 1, ("ales",)), Finish("hb", 2, ("albi",)), Finish("hb", 3, ("nancy",))]
    assert discipline_points(placements, SCHEME, weight=2) == {"ales": 20, "albi": 12, "nancy": 8}


def test_shared_rule_gives_each_tied_school_the_shared_place():
    placements = [
        Finish("hb", 1, ("a",)),
        Finish("hb", 2, ("b",)),
        Finish("hb", 3, ("c",)),
        Finish("hb", 3, ("d",)),
    ]
    assert discipline_points(placements, SCHEME) == {"a": 10, "b": 6, "c": 4, "d": 4}


def test_split_rule_shares_the_places_the_tie_covers():
    scheme = ScoringScheme(place_points=(10, 6, 4, 2), tie_rule=TieRule.SPLIT)
    placements = [
        Finish("hb", 1, ("a",)),
        Finish("hb", 2, ("b",)),
        Finish("hb", 3, ("c",)),
        Finish("hb", 3, ("d",)),
    ]
    assert discipline_points(placements, scheme) == {"a": 10, "b": 6, "c": 3, "d": 3}


def test_split_tie_past_the_last_scored_place_earns_less():
    scheme = ScoringScheme(place_points=(10, 6, 4), tie_rule=TieRule.SPLIT)
    placements = [Finish("x", 3, ("c",)), Finish("x", 3, ("d",))]
    assert discipline_points(placements, scheme) == {"c": 2, "d": 2}


def test_joint_team_points_are_shared_equally():
    placements = [Finish("rugby", 1, ("nancy", "st-etienne"))]
    assert discipline_points(placements, SCHEME) == {"nancy": 5, "st-etienne": 5}


def test_ranking_orders_by_points_then_firsts_seconds_thirds():
    # a and b both have 16 points; a has a 1st place, b has none.
    placements = [
        Finish("d1", 1, ("a",)),
        Finish("d1", 2, ("b",)),
        Finish("d1", 3, ("c",)),
        Finish("d2", 2, ("b",)),
        Finish("d2", 1, ("c",)),
        Finish("d3", 2, ("a",)),
        Finish("d3", 1, ("d",)),
        Finish("d3", 3, ("b",)),
    ]
    ranking = rank_schools(["a", "b", "c", "d"], placements, SCHEME, {"d1": 1, "d2": 1, "d3": 1})
    assert [(r.rank, r.school, r.points) for r in ranking.rows] == [
        (1, "a", 16),
        (2, "b", 16),
        (3, "c", 14),
        (4, "d", 10),
    ]
    assert {r.school: r.medals for r in ranking.rows}["b"] == (0, 2, 1)


def test_schools_still_equal_share_the_rank_and_the_next_rank_is_skipped():
    placements = [
        Finish("d1", 1, ("a",)),
        Finish("d2", 1, ("b",)),
        Finish("d1", 2, ("c",)),
        Finish("d2", 3, ("d",)),
    ]
    ranking = rank_schools(["a", "b", "c", "d"], placements, SCHEME, {"d1": 1, "d2": 1})
    assert [(r.rank, r.school) for r in ranking.rows] == [(1, "a"), (1, "b"), (3, "c"), (4, "d")]


def test_tie_break_order_is_part_of_the_scheme():
    # a: one 1st (10) ; b: 2nd + 2nd... make equal points with different medal mixes
    scheme = ScoringScheme(place_points=(6, 3, 3), tie_breaks=(3, 2, 1))
    placements = [Finish("d1", 1, ("a",)), Finish("d1", 2, ("b",)), Finish("d2", 3, ("b",))]
    ranking = rank_schools(["a", "b"], placements, scheme, {"d1": 1, "d2": 1})
    assert [r.school for r in ranking.rows] == ["b", "a"]
    no_breaks = ScoringScheme(place_points=(6, 3, 3), tie_breaks=())
    ranking = rank_schools(["a", "b"], placements, no_breaks, {"d1": 1, "d2": 1})
    assert [r.rank for r in ranking.rows] == [1, 1]


def test_adjustments_count_in_the_total():
    placements = [Finish("d1", 1, ("a",)), Finish("d1", 2, ("b",))]
    ranking = rank_schools(
        ["a", "b"], placements, SCHEME, {"d1": 1}, adjustments=[Adjustment("a", Fraction(-5), "misconduct")]
    )
    assert [(r.school, r.points, r.adjustment_points) for r in ranking.rows] == [("b", 6, 0), ("a", 5, -5)]


def test_ranking_is_provisional_until_every_programme_discipline_is_final():
    weights = {"d1": 1, "d2": 1, "d3": 1}
    ranking = rank_schools(["a"], [Finish("d1", 1, ("a",))], SCHEME, weights, final_disciplines={"d1", "x"})
    assert ranking.provisional and (ranking.final_disciplines, ranking.total_disciplines) == (1, 3)
    ranking = rank_schools(["a"], [], SCHEME, weights, final_disciplines=weights)
    assert not ranking.provisional


def test_placements_outside_the_programme_are_ignored():
    ranking = rank_schools(["a"], [Finish("other", 1, ("a",))], SCHEME, {"d1": 1})
    assert [(r.school, r.points) for r in ranking.rows] == [("a", 0)]


def test_check_places_accepts_competition_ranking_and_gaps_below():
    ok = [Finish("d", 1, ("a",)), Finish("d", 2, ("b",)), Finish("d", 2, ("c",)), Finish("d", 4, ("e",))]
    assert check_places(ok) == []
    assert check_places([Finish("d", 2, ("a",))]) == []  # only a 2nd place known


def test_check_places_refuses_a_place_inside_a_tie_and_a_school_twice():
    bad = [Finish("d", 2, ("a",)), Finish("d", 2, ("b",)), Finish("d", 3, ("c",))]
    assert check_places(bad) == ["place 3 cannot follow a tie covering it"]
    twice = [Finish("d", 1, ("a",)), Finish("d", 2, ("b", "a"))]
    assert check_places(twice) == ["school a is placed twice"]


@pytest.mark.parametrize("points", [(), (3, 5), (5, -1)])
def test_scheme_refuses_points_that_cannot_rank(points):
    with pytest.raises(SchemeError):
        ScoringScheme(place_points=points)


def test_format_points():
    assert format_points(Fraction(325)) == "325"
    assert format_points(Fraction(10, 3)) == "3.33"
    assert format_points(Fraction(5, 2)) == "2.5"


# --- properties -----------------------------------------------------------------------------

SCHOOLS = [f"s{i}" for i in range(8)]

schemes = st.builds(
    lambda pts, rule, breaks: ScoringScheme(tuple(sorted(pts, reverse=True)), rule, breaks),
    st.lists(st.integers(0, 30), min_size=1, max_size=6),
    st.sampled_from(list(TieRule)),
    st.permutations([1, 2, 3]),
)


@st.composite
def discipline_groups(draw, schools=SCHOOLS):
    """One discipline's result as ordered groups of tied single-school teams."""
    chosen = draw(st.lists(st.sampled_from(schools), min_size=1, max_size=len(schools), unique=True))
    groups, i = [], 0
    while i < len(chosen):
        size = draw(st.integers(1, min(3, len(chosen) - i)))
        groups.append(chosen[i : i + size])
        i += size
    return groups


def placements_from(discipline, groups):
    placements, place = [], 1
    for group in groups:
        placements.extend(Finish(discipline, place, (s,)) for s in group)
        place += len(group)
    return placements


@st.composite
def editions(draw):
    disciplines = [f"d{i}" for i in range(draw(st.integers(1, 4)))]
    results = {d: draw(discipline_groups()) for d in disciplines}
    weights = {d: draw(st.integers(1, 3)) for d in disciplines}
    return results, weights


@settings(max_examples=150)
@given(schemes, editions(), st.randoms())
def test_order_of_placements_never_changes_the_ranking(scheme, edition, rnd):
    results, weights = edition
    placements = [p for d, g in results.items() for p in placements_from(d, g)]
    shuffled = list(placements)
    rnd.shuffle(shuffled)
    assert rank_schools(SCHOOLS, placements, scheme, weights) == rank_schools(
        list(reversed(SCHOOLS)), shuffled, scheme, weights
    )


def improving_a_place_never_lowers_own_points_nor_raises_another(scheme, results, weights, data):
    discipline = data.draw(st.sampled_from(sorted(results)))
    groups = [list(g) for g in results[discipline]]
    candidates = [(gi, s) for gi, g in enumerate(groups) for s in g if gi > 0 or len(g) > 1]
    if not candidates:
        return
    gi, school = data.draw(st.sampled_from(candidates))
    improved = [list(g) for g in groups]
    improved[gi].remove(school)
    if data.draw(st.booleans()) and gi > 0:
        improved[gi - 1].append(school)  # join the group above
    else:
        improved.insert(gi, [school])  # break out ahead of its own group
    improved = [g for g in improved if g]

    def totals(disc_groups):
        placements = [p for d, g in {**results, discipline: disc_groups}.items() for p in placements_from(d, g)]
        return {r.school: r.points for r in rank_schools(SCHOOLS, placements, scheme, weights).rows}

    before, after = totals(groups), totals(improved)
    assert after[school] >= before[school]
    assert all(after[s] <= before[s] for s in SCHOOLS if s != school)


@settings(max_examples=200)
@given(schemes, editions(), st.data())
def test_improving_a_place_never_lowers_own_points_nor_raises_another(scheme, edition, data):
    results, weights = edition
    improving_a_place_never_lowers_own_points_nor_raises_another(scheme, results, weights, data)


@settings(max_examples=200)
@given(
    schemes.map(lambda s: ScoringScheme(s.place_points, TieRule.SPLIT, s.tie_breaks)),
    discipline_groups(),
    st.integers(1, 4),
)
def test_split_rule_hands_out_exactly_the_points_of_the_places_covered(scheme, groups, weight):
    placements = placements_from("d", groups)
    handed_out = sum(discipline_points(placements, scheme, weight).values())
    covered = sum(scheme.points_for_place(place) for place in range(1, len(placements) + 1))
    assert handed_out == covered * weight


@given(schemes, discipline_groups())
def test_generated_places_are_consistent(scheme, groups):
    assert check_places(placements_from("d", groups)) == []


def test_entry_rows_cover_the_scored_places_and_a_shared_place():
    from cartel.core.podium import rows_needed

    assert rows_needed(0, 12) == 4  # no scheme: the podium and a shared 3rd
    assert rows_needed(8, 12) == 9
    assert rows_needed(8, 5) == 5  # never more rows than schools
    assert rows_needed(3, 1) == 2


# --- a discipline's own points table (the rulebook's) ---------------------------------------

VOLLEYBALL = (24, 18, 14, 12, 10, 8, 6, 4, 2, 1)  # the 2024 alumni rulebook, 1st to "10th and beyond"
SPIKEBALL = (18, 13, 10, 9, 7, 6, 4, 3, 1, 1)


def alone(discipline, *schools):
    """Each school alone at the next place: 1, 2, 3, ..."""
    return [Finish(discipline, place, (school,)) for place, school in enumerate(schools, start=1)]


def test_a_disciplines_own_table_replaces_the_edition_table_and_its_weight():
    scheme = ScoringScheme((10, 6, 4, 2), tables={"volley": PointsTable(VOLLEYBALL)})
    assert discipline_points(alone("volley", "a", "b", "c"), scheme, weight=3) == {"a": 24, "b": 18, "c": 14}
    assert discipline_points(alone("hand", "a", "b", "c"), scheme, weight=3) == {"a": 30, "b": 18, "c": 12}


@pytest.mark.parametrize(("beyond_last", "eleventh"), [(True, 1), (False, 0)])
def test_places_past_the_table_earn_its_last_value_or_nothing(beyond_last, eleventh):
    scheme = ScoringScheme((10,), tables={"volley": PointsTable(VOLLEYBALL, beyond_last)})
    schools = [f"s{i}" for i in range(1, 13)]
    points = discipline_points(alone("volley", *schools), scheme)
    assert [points.get(s, 0) for s in schools] == [*VOLLEYBALL, eleventh, eleventh]


def test_tied_teams_with_an_own_table_under_each_tie_rule():
    volley = {"v": PointsTable(VOLLEYBALL)}
    two_thirds = [Finish("v", 3, ("a",)), Finish("v", 3, ("b",))]  # 3rd and 4th: 14 and 12
    assert discipline_points(two_thirds, ScoringScheme((5,), TieRule.SHARED, tables=volley), 2) == {"a": 14, "b": 14}
    assert discipline_points(two_thirds, ScoringScheme((5,), TieRule.SPLIT, tables=volley), 2) == {"a": 13, "b": 13}
    # a tie over the end of the table: 10th and 11th are worth 1 and 1 "and beyond", 1 and 0 otherwise
    two_tenths = [Finish("s", 10, ("a",)), Finish("s", 10, ("b",))]
    for beyond_last, split in [(True, Fraction(1)), (False, Fraction(1, 2))]:
        spike = {"s": PointsTable(SPIKEBALL, beyond_last)}
        assert discipline_points(two_tenths, ScoringScheme((5,), TieRule.SPLIT, tables=spike)) == {
            "a": split,
            "b": split,
        }
        assert discipline_points(two_tenths, ScoringScheme((5,), TieRule.SHARED, tables=spike)) == {"a": 1, "b": 1}


def test_a_joint_team_shares_its_tables_points():
    scheme = ScoringScheme((10,), tables={"volley": PointsTable(VOLLEYBALL)})
    assert discipline_points([Finish("volley", 1, ("nancy", "st-etienne"))], scheme, 2) == {
        "nancy": 12,
        "st-etienne": 12,
    }


def test_the_ranking_adds_the_tables_and_the_weighted_edition_points():
    scheme = ScoringScheme((10, 6, 4), tables={"volley": PointsTable(VOLLEYBALL), "dj": PointsTable((5, 3))})
    placements = [*alone("volley", "b", "a"), *alone("hand", "a", "b"), *alone("dj", "a", "b")]
    ranking = rank_schools(["a", "b"], placements, scheme, {"volley": 1, "hand": 2, "dj": 4})
    assert [(r.school, r.points) for r in ranking.rows] == [("a", 18 + 20 + 5), ("b", 24 + 12 + 3)]
    assert ranking.points_by_discipline["volley"] == {"b": 24, "a": 18}
    assert ranking.points_by_discipline["dj"] == {"a": 5, "b": 3}  # a weight does not touch a table


@pytest.mark.parametrize("points", [(), (3, 5), (5, -1)])
def test_an_own_table_that_cannot_rank_is_refused(points):
    with pytest.raises(SchemeError):
        PointsTable(points)


def test_points_of_one_discipline_at_a_time():
    with pytest.raises(ValueError):
        discipline_points([Finish("a", 1, ("x",)), Finish("b", 1, ("y",))], SCHEME)


# oracle: what a rulebook says, written the plain way: the table padded to the number of places with its
# last value ("and beyond") or with zeros, a weight only for the edition's table.

tables = st.builds(
    lambda pts, beyond: PointsTable(tuple(sorted(pts, reverse=True)), beyond),
    st.lists(st.integers(0, 30), min_size=1, max_size=6),
    st.booleans(),
)


@st.composite
def rulebook_editions(draw):
    """An edition whose disciplines each have their own table or not, with a scheme that says so."""
    scheme = draw(schemes)
    results, weights = draw(editions())
    own = {d: draw(tables) for d in results if draw(st.booleans())}
    return ScoringScheme(scheme.place_points, scheme.tie_rule, scheme.tie_breaks, own), results, weights


def oracle_totals(scheme, results, weights):
    totals = dict.fromkeys(SCHOOLS, Fraction(0))
    for discipline, groups in results.items():
        places = sum(len(g) for g in groups)
        table = scheme.tables.get(discipline)
        if table is None:
            points, weight = list(scheme.place_points), weights[discipline]
            padded = (points + [Fraction(0)] * places)[:places]
        else:
            points, weight = list(table.place_points), 1
            padded = (points + [points[-1] if table.beyond_last else Fraction(0)] * places)[:places]
        place = 1
        for group in groups:
            covered = padded[place - 1 : place - 1 + len(group)]
            each = sum(covered) / len(group) if scheme.tie_rule is TieRule.SPLIT else padded[place - 1]
            for school in group:
                totals[school] += each * weight
            place += len(group)
    return totals


@settings(max_examples=300)
@given(rulebook_editions())
def test_totals_are_the_sum_of_each_disciplines_rulebook_points(edition):
    scheme, results, weights = edition
    placements = [p for d, g in results.items() for p in placements_from(d, g)]
    ranking = rank_schools(SCHOOLS, placements, scheme, weights)
    expected = oracle_totals(scheme, results, weights)
    assert {r.school: r.points for r in ranking.rows} == expected
    summed = {s: sum((ranking.points_by_discipline[d].get(s, 0) for d in results), Fraction(0)) for s in SCHOOLS}
    assert summed == expected


@settings(max_examples=200)
@given(rulebook_editions(), st.lists(st.integers(0, 30), min_size=1, max_size=6), st.integers(1, 5))
def test_an_own_table_beats_the_edition_table_and_the_weight(edition, other_points, other_weight):
    """A discipline with its own table earns the same whatever the edition's table and its weight; the
    others earn the edition's table times their weight."""
    scheme, results, weights = edition
    other = ScoringScheme(tuple(sorted(other_points, reverse=True)), scheme.tie_rule, tables=scheme.tables)
    for discipline, groups in results.items():
        placements = placements_from(discipline, groups)
        points = discipline_points(placements, scheme, weights[discipline])
        if discipline in scheme.tables:
            assert discipline_points(placements, other, other_weight) == points
        else:
            once = discipline_points(placements, scheme)
            assert points == {s: p * weights[discipline] for s, p in once.items()}


@settings(max_examples=200)
@given(tables, st.sampled_from(list(TieRule)), discipline_groups())
def test_an_own_table_counts_like_an_edition_table_padded_as_its_rulebook_says(table, tie_rule, groups):
    """'And beyond' = the last value repeated for every further place; otherwise the places past the
    table earn nothing, as past an edition's table."""
    placements = placements_from("d", groups)
    padding = table.place_points[-1] if table.beyond_last else 0
    padded = ScoringScheme(table.place_points + (padding,) * len(placements), tie_rule)
    own = ScoringScheme((1,), tie_rule, tables={"d": table})
    assert discipline_points(placements, own, 7) == discipline_points(placements, padded)


@settings(max_examples=200)
@given(tables, discipline_groups())
def test_split_ties_hand_out_exactly_the_covered_places_of_an_own_table(table, groups):
    placements = placements_from("d", groups)
    scheme = ScoringScheme((1,), TieRule.SPLIT, tables={"d": table})
    covered = sum(table.points_for_place(place) for place in range(1, len(placements) + 1))
    assert sum(discipline_points(placements, scheme, 3).values()) == covered


@settings(max_examples=200)
@given(tables, discipline_groups())
def test_shared_ties_give_every_tied_team_the_shared_places_points(table, groups):
    scheme = ScoringScheme((1,), TieRule.SHARED, tables={"d": table})
    points = discipline_points(placements_from("d", groups), scheme, 3)
    place = 1
    for group in groups:
        assert {points.get(s, 0) for s in group} == {table.points_for_place(place)}
        place += len(group)


@settings(max_examples=200)
@given(rulebook_editions(), st.data())
def test_improving_a_place_never_lowers_own_points_with_own_tables(edition, data):
    scheme, results, weights = edition
    improving_a_place_never_lowers_own_points_nor_raises_another(scheme, results, weights, data)


@pytest.mark.parametrize(
    "typed, code",
    [
        ("1e99999999", "too_large"),  # fits the 12-character limit, yet a hundred-million-digit number
        ("1e-99999999", "too_large"),
        ("-1e99999999", "negative"),
        ("0,0000001", "too_large"),  # more decimals than a place's points may have
        ("10001", "too_large"),
    ],
)
def test_typed_points_are_bounded_before_their_exact_value_is_made(monkeypatch, typed, code):
    """Fraction("1e99999999") computes 10**99999999 before any bound is checked: minutes of a worker for
    one admin form. The bounds now come first, and the exact value is never made for such a word."""
    from cartel.core import scoring

    def never(*args):
        raise AssertionError(f"the exact value of {args!r} was made before the bounds were checked")

    monkeypatch.setattr(scoring, "Fraction", never)
    with pytest.raises(SchemeError) as refused:
        scoring.parse_table(typed, beyond_last=True)
    assert refused.value.code == code


def test_typed_points_read_as_a_rulebook_writes_them():
    from cartel.core import scoring

    assert scoring.parse_table("24 18 50/3 7,5 25e-1", beyond_last=True).place_points == (
        Fraction(24),
        Fraction(18),
        Fraction(50, 3),
        Fraction(15, 2),
        Fraction(5, 2),
    )
    for typed in ("NaN", "inf", "ten", "²"):
        with pytest.raises(ValueError):
            scoring.parse_table(typed, beyond_last=True)
