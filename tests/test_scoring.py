"""The points engine: hand-checked examples and properties."""

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cartel.scoring import (
    Adjustment,
    Placement,
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
    placements = [Placement("hb", 1, ("ales",)), Placement("hb", 2, ("albi",)), Placement("hb", 3, ("nancy",))]
    assert discipline_points(placements, SCHEME, weight=2) == {"ales": 20, "albi": 12, "nancy": 8}


def test_shared_rule_gives_each_tied_school_the_shared_place():
    placements = [
        Placement("hb", 1, ("a",)),
        Placement("hb", 2, ("b",)),
        Placement("hb", 3, ("c",)),
        Placement("hb", 3, ("d",)),
    ]
    assert discipline_points(placements, SCHEME) == {"a": 10, "b": 6, "c": 4, "d": 4}


def test_split_rule_shares_the_places_the_tie_covers():
    scheme = ScoringScheme(place_points=(10, 6, 4, 2), tie_rule=TieRule.SPLIT)
    placements = [
        Placement("hb", 1, ("a",)),
        Placement("hb", 2, ("b",)),
        Placement("hb", 3, ("c",)),
        Placement("hb", 3, ("d",)),
    ]
    assert discipline_points(placements, scheme) == {"a": 10, "b": 6, "c": 3, "d": 3}


def test_split_tie_past_the_last_scored_place_earns_less():
    scheme = ScoringScheme(place_points=(10, 6, 4), tie_rule=TieRule.SPLIT)
    placements = [Placement("x", 3, ("c",)), Placement("x", 3, ("d",))]
    assert discipline_points(placements, scheme) == {"c": 2, "d": 2}


def test_joint_team_points_are_shared_equally():
    placements = [Placement("rugby", 1, ("nancy", "st-etienne"))]
    assert discipline_points(placements, SCHEME) == {"nancy": 5, "st-etienne": 5}


def test_ranking_orders_by_points_then_firsts_seconds_thirds():
    # a and b both have 16 points; a has a 1st place, b has none.
    placements = [
        Placement("d1", 1, ("a",)),
        Placement("d1", 2, ("b",)),
        Placement("d1", 3, ("c",)),
        Placement("d2", 2, ("b",)),
        Placement("d2", 1, ("c",)),
        Placement("d3", 2, ("a",)),
        Placement("d3", 1, ("d",)),
        Placement("d3", 3, ("b",)),
    ]
    ranking = rank_schools(["a", "b", "c", "d"], placements, SCHEME, {"d1": 1, "d2": 1, "d3": 1})
    assert [(r.rank, r.school, r.points) for r in ranking.rows] == [
        (1, "a", 16),
        (2, "b", 16),
        (3, "c", 14),
        (4, "d", 10),
    ]
    assert ranking.row_for("b").medals == (0, 2, 1)


def test_schools_still_equal_share_the_rank_and_the_next_rank_is_skipped():
    placements = [
        Placement("d1", 1, ("a",)),
        Placement("d2", 1, ("b",)),
        Placement("d1", 2, ("c",)),
        Placement("d2", 3, ("d",)),
    ]
    ranking = rank_schools(["a", "b", "c", "d"], placements, SCHEME, {"d1": 1, "d2": 1})
    assert [(r.rank, r.school) for r in ranking.rows] == [(1, "a"), (1, "b"), (3, "c"), (4, "d")]


def test_tie_break_order_is_part_of_the_scheme():
    # a: one 1st (10) ; b: 2nd + 2nd... make equal points with different medal mixes
    scheme = ScoringScheme(place_points=(6, 3, 3), tie_breaks=(3, 2, 1))
    placements = [Placement("d1", 1, ("a",)), Placement("d1", 2, ("b",)), Placement("d2", 3, ("b",))]
    ranking = rank_schools(["a", "b"], placements, scheme, {"d1": 1, "d2": 1})
    assert [r.school for r in ranking.rows] == ["b", "a"]
    no_breaks = ScoringScheme(place_points=(6, 3, 3), tie_breaks=())
    ranking = rank_schools(["a", "b"], placements, no_breaks, {"d1": 1, "d2": 1})
    assert [r.rank for r in ranking.rows] == [1, 1]


def test_adjustments_count_in_the_total():
    placements = [Placement("d1", 1, ("a",)), Placement("d1", 2, ("b",))]
    ranking = rank_schools(
        ["a", "b"], placements, SCHEME, {"d1": 1}, adjustments=[Adjustment("a", Fraction(-5), "misconduct")]
    )
    assert [(r.school, r.points, r.adjustment_points) for r in ranking.rows] == [("b", 6, 0), ("a", 5, -5)]


def test_ranking_is_provisional_until_every_programme_discipline_is_final():
    weights = {"d1": 1, "d2": 1, "d3": 1}
    ranking = rank_schools(["a"], [Placement("d1", 1, ("a",))], SCHEME, weights, final_disciplines={"d1", "x"})
    assert ranking.provisional and (ranking.final_disciplines, ranking.total_disciplines) == (1, 3)
    ranking = rank_schools(["a"], [], SCHEME, weights, final_disciplines=weights)
    assert not ranking.provisional


def test_placements_outside_the_programme_are_ignored():
    ranking = rank_schools(["a"], [Placement("other", 1, ("a",))], SCHEME, {"d1": 1})
    assert ranking.row_for("a").points == 0


def test_check_places_accepts_competition_ranking_and_gaps_below():
    ok = [Placement("d", 1, ("a",)), Placement("d", 2, ("b",)), Placement("d", 2, ("c",)), Placement("d", 4, ("e",))]
    assert check_places(ok) == []
    assert check_places([Placement("d", 2, ("a",))]) == []  # only a 2nd place known


def test_check_places_refuses_a_place_inside_a_tie_and_a_school_twice():
    bad = [Placement("d", 2, ("a",)), Placement("d", 2, ("b",)), Placement("d", 3, ("c",))]
    assert check_places(bad) == ["place 3 cannot follow a tie covering it"]
    twice = [Placement("d", 1, ("a",)), Placement("d", 2, ("b", "a"))]
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
        placements.extend(Placement(discipline, place, (s,)) for s in group)
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


@settings(max_examples=200)
@given(schemes, editions(), st.data())
def test_improving_a_place_never_lowers_own_points_nor_raises_another(scheme, edition, data):
    results, weights = edition
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
    from cartel.podium import rows_needed

    assert rows_needed(0, 12) == 4  # no scheme: the podium and a shared 3rd
    assert rows_needed(8, 12) == 9
    assert rows_needed(8, 5) == 5  # never more rows than schools
    assert rows_needed(3, 1) == 2
