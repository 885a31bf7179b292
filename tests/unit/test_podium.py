"""The rules of one discipline's result as entered (cartel/podium.py), tested without the app:
rows to places and back, every problem with its row, places given directly."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cartel.core.podium import (
    Problem,
    Row,
    Team,
    check_rows,
    check_teams,
    rows_from_teams,
    rows_needed,
    teams_from_rows,
)

SCHOOLS = {"ales", "albi", "nancy", "douai", "paris"}


def check(*rows: Row, live: bool = True, in_programme: bool = True) -> list[Problem]:
    return check_rows(list(rows), SCHOOLS, edition_live=live, in_programme=in_programme)


def test_rows_give_places_and_a_tie_shares_the_place_above():
    rows = [Row(("ales",)), Row(("albi",)), Row(("nancy",)), Row(("douai",), tied_with_above=True), Row()]
    assert teams_from_rows(rows) == [
        Team(1, ("ales",)),
        Team(2, ("albi",)),
        Team(3, ("nancy",)),
        Team(3, ("douai",)),
    ]
    three_way = [Row(("ales",)), Row(("albi",), True), Row(("nancy",), True), Row(("douai",))]
    assert [t.place for t in teams_from_rows(three_way)] == [1, 1, 1, 4]
    assert teams_from_rows([Row(("ales", "albi"))]) == [Team(1, ("ales", "albi"))]  # a joint team


def test_a_tie_mark_on_the_first_row_is_no_tie():
    assert teams_from_rows([Row(("ales",), tied_with_above=True), Row(("albi",))]) == [
        Team(1, ("ales",)),
        Team(2, ("albi",)),
    ]


def test_saved_places_come_back_as_rows_with_unknown_places_left_empty():
    teams = [Team(1, ("ales",)), Team(3, ("nancy",)), Team(3, ("douai",))]
    assert rows_from_teams(teams, 5) == [
        Row(("ales",)),
        Row(),
        Row(("nancy",)),
        Row(("douai",), tied_with_above=True),
        Row(),
    ]


@given(
    st.lists(
        st.tuples(st.sampled_from(sorted(SCHOOLS)), st.booleans()), unique_by=lambda r: r[0], min_size=1, max_size=5
    )
)
def test_rows_to_places_and_back_is_stable(entered):
    rows = [Row((school,), tied_with_above=tied) for school, tied in entered]
    teams = teams_from_rows(rows)
    again = teams_from_rows(rows_from_teams(teams, len(rows)))
    assert again == teams
    assert check_teams(teams) == []  # places made from rows are always consistent


def test_rows_needed_cover_the_scored_places_plus_a_shared_one_within_the_schools():
    assert rows_needed(3, 12) == 4
    assert rows_needed(10, 12) == 11
    assert rows_needed(10, 6) == 6  # never more rows than schools
    assert rows_needed(0, 1) == 2  # at least two
    assert rows_needed(1, 12) == 4  # at least the podium, plus one


def test_a_right_result_has_no_problem():
    assert check(Row(("ales",)), Row(("albi", "nancy")), Row(("douai",), True), Row()) == []


def test_every_problem_says_what_and_where():
    assert check(Row(), Row()) == [Problem("empty")]
    assert check(Row(("ales",)), Row(), Row(("nancy",))) == [Problem("gap", 2)]
    assert check(Row(("ales",)), Row(), Row(("nancy",), True)) == [
        Problem("gap", 2),
        Problem("tie_without_above", 3),
    ]
    assert check(Row(("ales",)), Row(("nowhere",))) == [Problem("not_participant", 2, {"school": "nowhere"})]
    assert check(Row(("ales",)), Row(("albi", "ales"))) == [Problem("twice", 2, {"school": "ales", "first_row": 1})]
    assert check(Row(("ales", "ales"))) == [Problem("twice", 1, {"school": "ales", "first_row": 1})]
    assert check(Row(("ales",)), live=False, in_programme=False) == [
        Problem("edition_not_live"),
        Problem("not_in_programme"),
    ]


def test_a_ticked_empty_row_is_ignored_not_refused():
    assert check(Row(("ales",)), Row((), tied_with_above=True)) == []


def test_places_given_directly_follow_the_ties():
    assert check_teams([Team(1, ("a",)), Team(1, ("b",)), Team(3, ("c",))]) == []
    assert check_teams([Team(1, ("a",)), Team(1, ("b",)), Team(2, ("c",))]) == [
        Problem("place_inside_tie", None, {"place": 2})
    ]
    assert check_teams([Team(0, ("a",))]) == [Problem("place_inside_tie", None, {"place": 0})]
    assert check_teams([Team(2, ("a",))]) == []  # an unknown 1st place is allowed (imports of partial podiums)
