"""From pools to brackets to places: plain cases, then hypothesis properties over whole tournaments."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cartel.core.tournament.formats import (
    Fixture,
    Format,
    Pool,
    classification,
    loser,
    pool_rank,
    problems,
    team,
    winner,
)
from cartel.core.tournament.matches import Result
from cartel.core.tournament.presets import PRESETS
from cartel.core.tournament.progress import Resolution, resolve
from cartel.core.tournament.rules import Rules, Side
from cartel.core.tournament.shapes import knockout_format, pools_then_brackets, round_robin_format

FOOTBALL = PRESETS["football"]


def won(home: int = 1, away: int = 0) -> Result:
    return Result(Side(home), Side(away))


def teams(n: int) -> list[str]:
    return [f"t{k:02}" for k in range(1, n + 1)]


# --- formats ----------------------------------------------------------------------------------------


def test_eight_teams_play_every_place_from_1_to_8():
    fixtures, places = classification([team(t) for t in teams(8)])
    codes = [f.code for f in fixtures]
    assert codes == ["1-8.1", "1-8.2", "1-8.3", "1-8.4", "1-4.1", "1-4.2", "1-2", "3-4", "5-8.1", "5-8.2", "5-6", "7-8"]
    assert (fixtures[0].home.ref, fixtures[0].away.ref) == ("t01", "t08")
    # the winner of 1 v 8 meets the winner of 4 v 5
    assert (fixtures[4].home, fixtures[4].away) == (winner("1-8.1"), winner("1-8.4"))
    assert sorted(p for _, p in places) == list(range(1, 9))
    assert problems(Format(bracket=tuple(fixtures), places=tuple(places))) == []


def test_six_teams_play_in_then_every_place():
    fmt = knockout_format(teams(6))
    assert problems(fmt) == []
    play_in = [f for f in fmt.bracket if ".p" in f.code]
    assert [(f.home.ref, f.away.ref) for f in play_in] == [("t03", "t06"), ("t04", "t05")]
    assert len(fmt.bracket) == 2 + 4 + 1  # play-ins, the bracket of four (with 3-4), the match for 5th


def test_twelve_teams_in_four_pools_of_three_cross_the_pools_into_the_bracket():
    pools = [teams(12)[k::4] for k in range(4)]
    fmt = pools_then_brackets(pools, advance=2, consolation_pool=True)
    assert problems(fmt) == []
    quarter = fmt.bracket[:4]
    assert [(f.home, f.away) for f in quarter] == [
        (pool_rank("A", 1), pool_rank("D", 2)),
        (pool_rank("B", 1), pool_rank("C", 2)),
        (pool_rank("C", 1), pool_rank("B", 2)),
        (pool_rank("D", 1), pool_rank("A", 2)),
    ]
    consolation = fmt.pools[-1]
    assert consolation.entrants == tuple(pool_rank(p, 3) for p in "ABCD")
    assert sorted(p for _, p in fmt.places) == list(range(1, 13))


def test_a_format_that_leaves_a_team_without_a_place_is_refused_before_anything_is_played():
    pool = Pool("A", (team("x"), team("y"), team("z")))
    missing = Format(pools=(pool,), places=((pool_rank("A", 1), 1), (pool_rank("A", 2), 2)))
    assert ("goes_nowhere", "A3") in problems(missing)
    twice = Format(pools=(pool,), places=tuple((pool_rank("A", r), 1) for r in (1, 2, 3)))
    assert ("places_not_one_each", "1, 1, 1") in problems(twice)
    looped = Format(
        bracket=(Fixture("m1", team("x"), winner("m2")), Fixture("m2", team("y"), winner("m1"))),
        places=((loser("m1"), 3), (loser("m2"), 2), (team("z"), 1)),
    )
    assert problems(looped)  # m1's winner goes nowhere, and m1 waits on itself


# --- progress ---------------------------------------------------------------------------------------


def test_a_semi_final_loser_has_no_place_until_the_match_for_third_is_played():
    fmt = knockout_format(["a", "b", "c", "d"])
    results = {"1-4.1": won(), "1-4.2": won()}  # a beat d, b beat c
    state = resolve(fmt, results, FOOTBALL)
    assert state.slots["1-2"] == ("a", "b") and state.slots["3-4"] == ("d", "c")
    assert state.places == {}
    results["3-4"] = won(0, 2)
    state = resolve(fmt, results, FOOTBALL)
    assert state.places == {"c": 3, "d": 4} and not state.finished
    results["1-2"] = Result(Side(1), Side(1), winner="away")  # b after a shoot-out
    assert resolve(fmt, results, FOOTBALL).places == {"b": 1, "a": 2, "c": 3, "d": 4}


def test_a_pool_qualifies_nobody_before_its_last_match():
    fmt = pools_then_brackets([["a", "b", "c"], ["d", "e", "f"]], advance=1)
    pool_a = [f.code for f in fmt.pools[0].fixtures()]
    state = resolve(fmt, {code: won() for code in pool_a[:2]}, FOOTBALL)
    assert state.slots["1-2"] == (None, None) and state.tables["A"].complete is False
    # each team wins once (a cycle), by margins the score difference splits
    state = resolve(fmt, {code: won(k + 1) for k, code in enumerate(pool_a)}, FOOTBALL)
    assert state.slots["1-2"][0] is not None and state.tables["A"].complete


def test_a_result_entered_for_teams_no_longer_in_its_slot_is_stale_not_silently_moved():
    fmt = knockout_format(["a", "b", "c", "d"])
    results = {"1-4.1": won(), "1-4.2": won(), "1-2": won()}
    played_by = {"1-4.1": ("a", "d"), "1-4.2": ("b", "c"), "1-2": ("a", "b")}
    assert resolve(fmt, results, FOOTBALL, played_by=played_by).stale == ()
    results["1-4.1"] = won(0, 1)  # corrected: d won the semi-final
    state = resolve(fmt, results, FOOTBALL, played_by=played_by)
    assert state.stale == ("1-2",) and "a" not in state.places and state.slots["1-2"] == ("d", "b")


def test_tennis_takes_the_best_runner_up_by_points_matches_won_games():
    rules = PRESETS["tennis"]
    fmt = pools_then_brackets([["a", "b", "c"], ["d", "e", "f"], ["g", "h", "i"]], advance=1, best_of_next=1)
    assert problems(fmt) == []
    # in each pool the first letter beats both and the second beats the third, 2-1 each time, except
    # in A: a beats b 2-1 and c 3-0, b beats c 3-0 (so b wins 4 sub-matches, e and h 3)
    wins = {("a", "b"): (2, 1), ("a", "c"): (3, 0), ("b", "c"): (3, 0)}
    results = {}
    for pool in fmt.pools:
        for f in pool.fixtures():
            h, a = f.home.ref, f.away.ref
            first, second = sorted((h, a))
            won_lost = wins.get((first, second), (2, 1))
            score = won_lost if h == first else won_lost[::-1]
            results[f.code] = Result(Side(score[0], score[0], 6 * score[0]), Side(score[1], score[1], 6 * score[1]))
    state = resolve(fmt, results, rules)
    runners_up = [state.tables[p].at(2) for p in "ABC"]
    assert runners_up == ["b", "e", "h"]
    best = state.across["best2"][0]
    assert best == "b"  # 4 sub-matches won against 3 (the runners-up of B and C level: the organiser decides)
    assert {u.context for u in state.undecided} == {"best2"}


# --- properties -------------------------------------------------------------------------------------


def shapes() -> st.SearchStrategy[Format]:
    pools = st.lists(st.integers(3, 4), min_size=2, max_size=4).map(
        lambda sizes: [[f"p{i}t{k}" for k in range(n)] for i, n in enumerate(sizes)]
    )
    return st.one_of(
        st.integers(2, 16).map(lambda n: knockout_format(teams(n))),
        st.integers(2, 7).map(lambda n: round_robin_format(teams(n))),
        st.builds(pools_then_brackets, pools, st.integers(1, 2), st.integers(0, 1), st.booleans()),
    )


def play_out(fmt: Format, rules: Rules, data) -> tuple[Resolution, dict[str, Result], dict]:
    """Every match played (random scores, draws where allowed), every tie decided by the organiser."""
    results: dict[str, Result] = {}
    decisions: dict = {}
    fixtures = fmt.fixtures()
    for _ in range(4 * len(fixtures) + 10):
        state = resolve(fmt, results, rules, decisions=decisions)
        check_slots(fmt, state, results)
        for tie in state.undecided:
            decisions[(tie.context, tie.teams)] = data.draw(st.permutations(sorted(tie.teams)))
        if state.undecided:
            continue
        pending = [f for f in fixtures if f.code not in results and None not in state.slots.get(f.code, (None,))]
        if not pending:
            return state, results, decisions
        fixture = pending[0]
        home, away = data.draw(st.integers(0, 4)), data.draw(st.integers(0, 4))
        if home == away and (fixture.bracket or not rules.draws):
            results[fixture.code] = Result(Side(home), Side(away), winner=data.draw(st.sampled_from(["home", "away"])))
        else:
            results[fixture.code] = Result(Side(home), Side(away))
    raise AssertionError("the tournament never ended")


def check_slots(fmt: Format, state: Resolution, results) -> None:
    """A team waits in at most one bracket match not yet played, and never once it has its place."""
    waiting = [t for f in fmt.bracket if f.code not in results for t in state.slots.get(f.code, ()) if t]
    assert len(waiting) == len(set(waiting)), waiting
    assert not set(waiting) & set(state.places)


@settings(max_examples=60, deadline=None)
@given(shapes(), st.sampled_from(sorted(PRESETS)), st.data())
def test_every_team_ends_with_exactly_one_place(fmt, sport, data):
    rules = PRESETS[sport]
    assert problems(fmt) == []
    state, _, _ = play_out(fmt, rules, data)
    assert state.finished
    assert sorted(state.places.values()) == list(range(1, len(fmt.teams()) + 1))
    assert set(state.places) == set(fmt.teams())


@settings(max_examples=40, deadline=None)
@given(shapes(), st.data())
def test_the_order_results_were_entered_in_changes_nothing(fmt, data):
    state, results, decisions = play_out(fmt, FOOTBALL, data)
    shuffled = dict(data.draw(st.permutations(list(results.items()))))
    again = resolve(fmt, shuffled, FOOTBALL, decisions=decisions)
    assert again.places == state.places and again.slots == state.slots


@settings(max_examples=40, deadline=None)
@given(shapes(), st.data())
def test_renaming_the_teams_changes_nothing(fmt, data):
    state, results, decisions = play_out(fmt, FOOTBALL, data)
    names = fmt.teams()
    renamed = dict(zip(names, data.draw(st.permutations([f"n{k:03}" for k in range(len(names))])), strict=True))
    other = rename(fmt, renamed)
    moved = {
        (c, frozenset(renamed[t] for t in ts)): [renamed[t] for t in order] for (c, ts), order in decisions.items()
    }
    again = resolve(other, results, FOOTBALL, decisions=moved)
    assert again.places == {renamed[t]: p for t, p in state.places.items()}


def rename(fmt: Format, names: dict[str, str]) -> Format:
    def source(s):
        return team(names[s.ref]) if s.kind.value == "team" else s

    return Format(
        pools=tuple(Pool(p.name, tuple(source(s) for s in p.entrants)) for p in fmt.pools),
        across=fmt.across,
        bracket=tuple(Fixture(f.code, source(f.home), source(f.away), f.pool, f.round) for f in fmt.bracket),
        places=tuple((source(s), p) for s, p in fmt.places),
    )


@settings(max_examples=60, deadline=None)
@given(st.integers(3, 6), st.sampled_from(sorted(PRESETS)), st.data())
def test_a_better_score_never_costs_a_team_its_place(n, sport, data):
    rules = PRESETS[sport]
    fmt = round_robin_format(teams(n))
    state, results, decisions = play_out(fmt, rules, data)
    code = data.draw(st.sampled_from(sorted(results)))
    fixture = next(f for f in fmt.fixtures() if f.code == code)
    side = data.draw(st.sampled_from(["home", "away"]))
    result = results[code]
    better = Result(
        Side(result.home.score + (side == "home"), result.home.sets, result.home.points),
        Side(result.away.score + (side == "away"), result.away.sets, result.away.points),
        winner=result.winner if result.home.score == result.away.score else None,
    )
    if better.home.score == better.away.score and not rules.draws:
        better = Result(better.home, better.away, winner=side)
    improved = resolve(fmt, {**results, code: better}, rules, decisions=decisions)
    who = fixture.home.ref if side == "home" else fixture.away.ref
    if improved.undecided:
        return  # a new tie to decide: the organiser's call, not the score's
    assert improved.places[who] <= state.places[who]
