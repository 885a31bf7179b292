"""Heats then a final (the swimming relays): plain cases after the rulebook, then hypothesis properties.

The times are made up for the tests (hundredths of a second), not results of any edition.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cartel.core.tournament.heats import Placing, Undecided, finalists, places

# the rulebook: the relays swim heats, the 4 best times swim a final, whose times give the ranking
HEATS = {"a": 11850, "b": 11720, "c": 12010, "d": 11990, "e": 12100, "f": None}  # f disqualified
FINAL = {"a": 11700, "b": 11760, "c": 11690, "d": 11810}


def test_the_four_best_heat_times_swim_the_final():
    assert finalists(HEATS, 4) == ["b", "a", "d", "c"]


def test_places_come_from_the_final_then_from_the_heats():
    assert places(HEATS, FINAL, 4) == Placing({"c": 1, "a": 2, "b": 3, "d": 4, "e": 5, "f": 6})


def test_before_the_final_only_the_other_places_are_known():
    assert places(HEATS, {}, 4) == Placing({"e": 5, "f": 6})


def test_equal_final_times_share_a_place():
    final = {"a": 11700, "b": 11750, "c": 11750, "d": 11800}
    assert places(HEATS, final, 4).places == {"a": 1, "b": 2, "c": 2, "d": 4, "e": 5, "f": 6}


def test_a_finalist_without_a_final_time_comes_after_the_others_before_the_heats():
    final = {"a": 11700, "b": 11750, "c": None}  # c disqualified in the final, d's time not given: none either
    assert places(HEATS, final, 4).places == {"a": 1, "b": 2, "c": 3, "d": 3, "e": 5, "f": 6}


def test_a_tie_at_the_cut_off_waits_on_the_organiser():
    heats = {"a": 11700, "b": 11800, "c": 11900, "d": 12000, "e": 12000, "f": 12100}
    assert finalists(heats, 4) == Undecided(frozenset({"d", "e"}))
    # f's place does not depend on who of d and e swims the final
    assert places(heats, {}, 4) == Placing({"f": 6}, [Undecided(frozenset({"d", "e"}))])


def test_the_organisers_order_settles_the_cut_off():
    heats = {"a": 11700, "b": 11800, "c": 11900, "d": 12000, "e": 12000, "f": 12100}
    decisions = {frozenset({"d", "e"}): ["e", "d"]}
    assert finalists(heats, 4, decisions) == ["a", "b", "c", "e"]
    final = {"a": 11650, "b": 11700, "c": 11900, "e": 11600}
    assert places(heats, final, 4, decisions).places == {"e": 1, "a": 2, "b": 3, "c": 4, "d": 5, "f": 6}


def test_a_tie_that_fits_in_the_final_needs_no_decision():
    heats = {"a": 11700, "b": 11800, "c": 11800, "d": 11900, "e": 12000}
    assert finalists(heats, 4) == ["a", "b", "c", "d"]


def test_teams_without_a_heat_time_never_swim_the_final():
    heats = {"a": 11700, "b": None, "c": 11900, "d": None, "e": None}
    assert finalists(heats, 4) == ["a", "c"]
    assert places(heats, {"a": 11800, "c": 11750}, 4).places == {"c": 1, "a": 2, "b": 3, "d": 3, "e": 3}


def test_inconsistent_entries_are_refused():
    with pytest.raises(ValueError, match="did not reach the final"):
        places(HEATS, {**FINAL, "e": 11500}, 4)
    with pytest.raises(ValueError, match="without a heat entry"):
        places(HEATS, {"z": 11500}, 4)
    with pytest.raises(ValueError, match="negative"):
        finalists({**HEATS, "a": -1}, 4)
    with pytest.raises(ValueError, match="list each of them once"):
        finalists({"a": 1, "b": 1}, 1, {frozenset({"a", "b"}): ["a"]})
    with pytest.raises(ValueError, match="seats"):
        finalists(HEATS, -1)


# --- properties -------------------------------------------------------------------------------------

# few distinct times, so that ties are common
time = st.none() | st.integers(0, 5)


@st.composite
def events(draw):
    """Heat times, the final's size, the organiser's decision if one is needed, and the final's times."""
    teams = draw(st.lists(st.text(max_size=3), unique=True, max_size=10))
    heats = {team: draw(time) for team in teams}
    size = draw(st.integers(0, 6))
    decisions = {}
    chosen = finalists(heats, size)
    if isinstance(chosen, Undecided):
        decisions = {chosen.teams: draw(st.permutations(sorted(chosen.teams)))}
        chosen = finalists(heats, size, decisions)
    final = {team: draw(time) for team in chosen}
    return heats, final, size, decisions


@given(events())
def test_every_team_gets_exactly_one_place_once_the_final_is_timed(event):
    heats, final, size, decisions = event
    placing = places(heats, final, size, decisions)
    assert set(placing.places) == set(heats)
    assert placing.undecided == []


@given(events())
def test_a_better_time_never_gives_a_worse_place(event):
    heats, final, size, decisions = event
    placed = places(heats, final, size, decisions).places
    swum = set(final)

    def key(team):  # finalists first, by final time, then the others by heat time; no time last
        own = final[team] if team in swum else heats[team]
        return (team not in swum, own is None, own or 0)

    for one in heats:
        for other in heats:
            if key(one) < key(other):
                assert placed[one] < placed[other]
            elif key(one) == key(other):
                assert placed[one] == placed[other]
            if heats[one] is not None and (heats[other] is None or heats[one] < heats[other]):
                assert not (other in swum and one not in swum)  # a slower heat never takes a faster one's seat


@given(events(), st.data())
def test_renaming_the_teams_changes_nothing(event, data):
    heats, final, size, decisions = event
    names = data.draw(st.lists(st.text(min_size=1, max_size=3), unique=True, min_size=len(heats), max_size=len(heats)))
    new = dict(zip(heats, names, strict=True))
    renamed = places(
        {new[t]: v for t, v in heats.items()},
        {new[t]: v for t, v in final.items()},
        size,
        {frozenset(new[t] for t in k): [new[t] for t in v] for k, v in decisions.items()},
    )
    assert renamed.places == {new[t]: p for t, p in places(heats, final, size, decisions).places.items()}


@given(events(), st.data())
def test_the_order_of_the_entries_does_not_matter(event, data):
    heats, final, size, decisions = event
    shuffled_heats = dict(data.draw(st.permutations(list(heats.items()))))
    shuffled_final = dict(data.draw(st.permutations(list(final.items()))))
    assert places(shuffled_heats, shuffled_final, size, decisions) == places(heats, final, size, decisions)


@given(events())
def test_places_given_early_stay_the_same(event):
    heats, final, size, decisions = event
    after = places(heats, final, size, decisions).places
    before_the_final = places(heats, {}, size, decisions)
    before_the_decision = places(heats, {}, size)
    assert before_the_final.places.items() <= after.items()
    assert before_the_decision.places.items() <= after.items()
    assert set(after) - set(before_the_final.places) == set(final)
