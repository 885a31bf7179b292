"""Round robins and snake seeding: plain cases, then hypothesis properties for 0 to 16 teams."""

from __future__ import annotations

from collections import Counter
from itertools import combinations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cartel.core.tournament.fixtures import pool_names, pool_sizes, round_robin, snake

# opaque identifiers: any distinct strings, in any order
team_lists = st.lists(st.text(max_size=4), unique=True, max_size=16)


def test_four_teams_play_three_rounds_of_two_matches():
    assert round_robin(["a", "b", "c", "d"]) == [
        [("a", "d"), ("b", "c")],
        [("b", "a"), ("c", "d")],
        [("a", "c"), ("d", "b")],
    ]


def test_with_three_teams_one_rests_each_round():
    rounds = round_robin(["a", "b", "c"])
    assert [len(r) for r in rounds] == [1, 1, 1]
    resting = [({"a", "b", "c"} - {t for match in r for t in match}).pop() for r in rounds]
    assert sorted(resting) == ["a", "b", "c"]


def test_no_rounds_without_two_teams():
    assert round_robin([]) == []
    assert round_robin(["a"]) == []


def test_a_team_listed_twice_is_refused():
    with pytest.raises(ValueError, match="listed twice: b"):
        round_robin(["a", "b", "c", "b"])
    with pytest.raises(ValueError, match="listed twice"):
        snake(["a", "a"], 1)


def test_the_same_list_gives_the_same_rounds():
    teams = [f"t{k}" for k in range(9)]
    assert round_robin(teams) == round_robin(list(teams))


def test_snake_turns_at_each_end():
    assert snake(["1", "2", "3", "4", "5", "6", "7", "8"], 3) == [["1", "6", "7"], ["2", "5", "8"], ["3", "4"]]


def test_snake_passes_over_a_full_pool():
    # sizes 2, 1, 1: the 4th team cannot join C or B, so it goes to A
    assert snake(["1", "2", "3", "4"], 3) == [["1", "4"], ["2"], ["3"]]


def test_pool_sizes_largest_first():
    assert pool_sizes(10, 3) == [4, 3, 3]
    assert pool_sizes(9, 3) == [3, 3, 3]
    assert pool_sizes(5, 5) == [1, 1, 1, 1, 1]


@pytest.mark.parametrize(("teams", "pools"), [(3, 0), (3, 4), (0, 1)])
def test_impossible_pools_are_refused(teams, pools):
    with pytest.raises(ValueError):
        pool_sizes(teams, pools)
    with pytest.raises(ValueError):
        snake([str(k) for k in range(teams)], pools)


def test_pool_names():
    assert pool_names(0) == []
    assert pool_names(4) == ["A", "B", "C", "D"]
    assert pool_names(26)[-1] == "Z"
    with pytest.raises(ValueError):
        pool_names(27)


# --- properties -------------------------------------------------------------------------------------


@given(team_lists)
def test_every_pair_meets_exactly_once(teams):
    met = Counter(frozenset(match) for r in round_robin(teams) for match in r)
    assert set(met) == {frozenset(pair) for pair in combinations(teams, 2)}
    assert set(met.values()) <= {1}


@given(team_lists)
def test_no_team_plays_twice_in_a_round(teams):
    for r in round_robin(teams):
        playing = [t for match in r for t in match]
        assert len(playing) == len(set(playing))


@given(team_lists)
def test_round_and_match_counts(teams):
    n = len(teams)
    rounds = round_robin(teams)
    expected = 0 if n < 2 else n if n % 2 else n - 1
    assert len(rounds) == expected
    assert all(len(r) == n // 2 for r in rounds)


@given(team_lists)
def test_home_and_away_counts_differ_by_at_most_one(teams):
    home = Counter(h for r in round_robin(teams) for h, _ in r)
    away = Counter(a for r in round_robin(teams) for _, a in r)
    assert all(abs(home[t] - away[t]) <= 1 for t in teams)


@st.composite
def seeded(draw):
    teams = draw(st.lists(st.text(max_size=4), unique=True, min_size=1, max_size=16))
    return teams, draw(st.integers(1, len(teams)))


@given(seeded())
def test_snake_puts_every_team_in_exactly_one_pool(case):
    teams, pools = case
    made = snake(teams, pools)
    assert len(made) == pools
    assert sorted(t for pool in made for t in pool) == sorted(teams)


@given(seeded())
def test_snake_pool_sizes_differ_by_at_most_one(case):
    teams, pools = case
    sizes = [len(pool) for pool in snake(teams, pools)]
    assert max(sizes) - min(sizes) <= 1
    assert sizes == pool_sizes(len(teams), pools)


@given(seeded())
def test_the_best_teams_are_in_different_pools(case):
    teams, pools = case
    pool_of = {t: k for k, pool in enumerate(snake(teams, pools)) for t in pool}
    assert len({pool_of[t] for t in teams[:pools]}) == pools


@given(seeded())
def test_the_snake_turns_in_the_pool_it_reached(case):
    # while every pool still has room (the full laps), seeds k and k + 1 at a turn share a pool
    teams, pools = case
    pool_of = {t: k for k, pool in enumerate(snake(teams, pools)) for t in pool}
    full_laps = pools * (len(teams) // pools)
    for turn in range(pools, full_laps, pools):
        assert pool_of[teams[turn - 1]] == pool_of[teams[turn]]
