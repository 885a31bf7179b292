"""Pool tables built from the 2024 rulebooks' own text (../shared/CARTEL.md), one preset at a time."""

from __future__ import annotations

import datetime as dt

from cartel.core.tournament.matches import Finish, Result, problems
from cartel.core.tournament.presets import PRESETS
from cartel.core.tournament.rules import Criterion, Rules, Side
from cartel.core.tournament.standings import Played, table
from cartel.core.tournament.ties import SubMatch, tie_problems, tie_result


def match(home: str, away: str, h: int, a: int, **more) -> Played:
    sides = {k: v for k, v in more.items() if k not in ("forfeit", "winner")}
    home_side = Side(h, **{k[5:]: v for k, v in sides.items() if k.startswith("home_")})
    away_side = Side(a, **{k[5:]: v for k, v in sides.items() if k.startswith("away_")})
    return Played(home, away, Result(home_side, away_side, forfeit=more.get("forfeit"), winner=more.get("winner")))


def order_of(t) -> list[str]:
    return [line.team for line in t.lines]


def ranks(t) -> dict[str, int | None]:
    return dict(t.ranks)


# --- handball: "win 3, draw 2, loss 1, forfeit 0"; the absent team loses 10-0 --------------------------


def test_handball_points_are_3_2_1_0_and_a_forfeit_is_lost_10_0():
    rules = PRESETS["handball"]
    played = [
        match("ales", "albi", 20, 18),  # ales win 3, albi loss 1
        match("albi", "nancy", 15, 15),  # draw: 2 each
        match("nancy", "ales", 7, 3, forfeit="home"),  # nancy absent: ales win 10-0, nancy 0
    ]
    t = table("A", ["ales", "albi", "nancy"], played, rules, complete=True)
    points = {line.team: line.match_points for line in t.lines}
    assert points == {"ales": 6, "albi": 3, "nancy": 2}
    nancy = next(line for line in t.lines if line.team == "nancy")
    assert (nancy.scored, nancy.conceded, nancy.forfeited) == (15, 25, 1)  # the typed 7-3 does not count
    assert ranks(t) == {"ales": 1, "albi": 2, "nancy": 3}


def test_handball_splits_on_goal_difference_first():
    played = [match("x", "y", 30, 10), match("y", "z", 12, 10), match("z", "x", 11, 10)]
    t = table("A", ["x", "y", "z"], played, PRESETS["handball"], complete=True)
    assert order_of(t) == ["x", "z", "y"]  # +19, 0, -18
    assert t.notes[0].criterion is Criterion.SCORE_DIFFERENCE


def test_handball_then_goals_scored():
    # every difference 0 over the pool: x +2 -2, y +2 -2, z +2 -2; scored x 30+20, y 22+28, z 20+20
    played = [match("x", "y", 30, 28), match("y", "z", 22, 20), match("z", "x", 20, 18)]
    t = table("A", ["x", "y", "z"], played, PRESETS["handball"], complete=True)
    assert order_of(t) == ["y", "x", "z"]  # scored 50, 48, 40
    assert [n.criterion for n in t.notes] == [Criterion.SCORED]


def test_handball_then_fewer_sendings_off_then_head_to_head_then_a_shootout():
    # equal points, differences and goals scored; x had 2 sendings-off, y and z 1: x last
    played = [
        match("x", "y", 20, 19, home_sendings_off=2),
        match("y", "z", 20, 19, home_sendings_off=1),
        match("z", "x", 20, 19, home_sendings_off=1),
    ]
    t = table("A", ["x", "y", "z"], played, PRESETS["handball"], complete=True)
    # y and z left level: their direct match (y beat z) decides, head-to-head re-applied to the two of them
    assert order_of(t) == ["y", "z", "x"]
    assert [n.criterion for n in t.notes] == [Criterion.FEWER_SENDINGS_OFF, Criterion.HEAD_TO_HEAD]
    assert t.undecided == ()


def test_handball_level_on_everything_waits_for_the_shootout_the_organiser_records():
    played = [match("x", "y", 20, 19), match("y", "z", 20, 19), match("z", "x", 20, 19)]
    t = table("A", ["x", "y", "z"], played, PRESETS["handball"], complete=True)
    assert set(ranks(t).values()) == {None}  # no rank until the shoot-out
    (tie,) = t.undecided
    assert tie.teams == {"x", "y", "z"} and tie.decider.value == "shootout"
    decided = table(
        "A",
        ["x", "y", "z"],
        played,
        PRESETS["handball"],
        complete=True,
        decisions={("A", frozenset("xyz")): ["z", "x", "y"]},
    )
    assert order_of(decided) == ["z", "x", "y"] and decided.undecided == ()
    # a decision for another set of teams (results changed since) does not apply
    other = table(
        "A", ["x", "y", "z"], played, PRESETS["handball"], complete=True, decisions={("A", frozenset("xy")): ["y", "x"]}
    )
    assert other.undecided and set(ranks(other).values()) == {None}


def test_an_incomplete_pool_reports_no_tie_to_decide():
    played = [match("x", "y", 20, 20)]
    t = table("A", ["x", "y", "z"], played, PRESETS["handball"], complete=False)
    assert t.undecided == () and not t.complete and t.at(1) is None


# --- basketball: head-to-head first -----------------------------------------------------------------


def test_basketball_puts_head_to_head_before_the_points_difference():
    # a and b level on points; b has the better difference, but a beat b
    played = [
        match("a", "b", 50, 49),
        match("b", "c", 90, 40),
        match("c", "a", 60, 50),
        match("a", "d", 60, 50),
        match("b", "d", 70, 60),
        match("c", "d", 40, 60),
    ]
    t = table("A", ["a", "b", "c", "d"], played, PRESETS["basketball"], complete=True)
    assert order_of(t)[:2] == ["a", "b"]
    assert Criterion.HEAD_TO_HEAD in [n.criterion for n in t.notes]


# --- badminton: two level by their direct match, three by set difference, back to the direct match ----


def tie(winners: str):
    """A badminton tie's sub-matches, each won 21-15 21-15 by the side given: "h" or "a"."""
    return [SubMatch(((21, 15), (21, 15)) if w == "h" else ((15, 21), (15, 21))) for w in winners]


def test_badminton_two_teams_level_are_split_by_their_direct_match():
    rules = PRESETS["badminton"]
    played = [
        Played("x", "y", tie_result(tie("hha"), rules)),  # x beat y 2-1
        Played("x", "z", tie_result(tie("hha"), rules)),
        Played("w", "x", tie_result(tie("hha"), rules)),
        Played("y", "z", tie_result(tie("hhh"), rules)),  # y wins its others 3-0: better sets than x
        Played("y", "w", tie_result(tie("hhh"), rules)),
        Played("z", "w", tie_result(tie("hha"), rules)),
    ]
    t = table("A", ["x", "y", "z", "w"], played, rules, complete=True)
    x, y = (next(line for line in t.lines if line.team == team) for team in "xy")
    assert x.match_points == y.match_points == 2
    assert y.sets_won - y.sets_lost > x.sets_won - x.sets_lost
    assert order_of(t) == ["x", "y", "z", "w"]  # x and y by their direct match, not by sets; z beat w
    assert [n.criterion for n in t.notes] == [Criterion.DIRECT_MATCH, Criterion.DIRECT_MATCH]


def sub(*sets):
    return SubMatch(tuple(sets))


W20, W21, L02, L12 = ((21, 9), (21, 9)), ((21, 9), (9, 21), (21, 9)), ((9, 21), (9, 21)), ((9, 21), (21, 9), (9, 21))


def test_badminton_three_teams_level_go_by_set_difference_and_back_to_the_direct_match_for_two():
    rules = PRESETS["badminton"]
    # x beat y, y beat z, z beat x, each 2-1 in sub-matches: level on ties won. Set differences: x +2 -3,
    # y -2 +1, z +3 -1: z first; x and y level again (-1 each): their direct match (x beat y) decides
    played = [
        Played("x", "y", tie_result([sub(*W20), sub(*W20), sub(*L02)], rules)),  # x +2 in sets
        Played("y", "z", tie_result([sub(*W21), sub(*W21), sub(*L12)], rules)),  # y +1
        Played("z", "x", tie_result([sub(*W20), sub(*W20), sub(*L12)], rules)),  # z +3
    ]
    t = table("A", ["x", "y", "z"], played, rules, complete=True)
    assert order_of(t) == ["z", "x", "y"]
    assert [n.criterion for n in t.notes] == [Criterion.SET_DIFFERENCE, Criterion.DIRECT_MATCH]


def test_badminton_last_resort_is_the_youngest_player_when_every_age_is_known():
    rules = PRESETS["badminton"]
    played = [
        Played("x", "y", tie_result(tie("hha"), rules)),
        Played("y", "z", tie_result(tie("hha"), rules)),
        Played("z", "x", tie_result(tie("hha"), rules)),
    ]
    unknown = table("A", ["x", "y", "z"], played, rules, complete=True)
    assert unknown.undecided  # ages not known: the organiser decides
    ages = {"x": dt.date(2003, 5, 1), "y": dt.date(2005, 1, 2), "z": dt.date(2004, 7, 9)}
    known = table("A", ["x", "y", "z"], played, rules, complete=True, youngest=ages)
    assert order_of(known) == ["y", "z", "x"] and known.undecided == ()


def test_a_delegation_without_a_woman_loses_the_womens_singles_and_the_mixed_doubles():
    rules = PRESETS["badminton"]
    subs = [SubMatch(((21, 10), (21, 12))), SubMatch(given_up="home"), SubMatch(given_up="home")]
    result = tie_result(subs, rules)
    assert (result.home.score, result.away.score) == (1, 2)
    assert (result.home.sets, result.away.sets) == (2, 4) and result.won_by(rules) == "away"
    assert tie_problems(subs, rules) == []
    assert tie_problems([SubMatch(((21, 21),)), SubMatch(), SubMatch(((21, 5),))], rules) == [
        ("no_winner", 1),
        ("no_sets", 2),
    ]


# --- tennis, volleyball, football --------------------------------------------------------------------


def test_a_tennis_tie_given_up_is_lost_3_0_each_match_6_0():
    rules = PRESETS["tennis"]
    result = Result(Side(2), Side(1), forfeit="away")
    home, away = result.sides(rules)
    assert (home.score, home.sets, home.points, away.score) == (3, 3, 18, 0)


def test_volleyball_forfeit_is_2_0_in_sets_and_10_0_in_each_set():
    rules = PRESETS["volleyball"]
    home, away = Result(Side(0), Side(0), forfeit="home").sides(rules)
    assert (home.score, away.score, away.sets, away.points) == (0, 2, 2, 20)


def test_a_bracket_match_never_ends_level_and_a_pool_match_may():
    football = PRESETS["football"]
    level = Result(Side(1), Side(1))
    assert problems(level, football, bracket=False) == []
    assert problems(level, football, bracket=True) == ["draw_not_allowed"]
    shootout = Result(Side(1), Side(1), winner="away", finish=Finish.SHOOTOUT)
    assert problems(shootout, football, bracket=True) == [] and shootout.won_by(football) == "away"
    assert problems(Result(Side(-1), Side(2)), football, bracket=False) == ["negative"]
    assert problems(Result(Side(999), Side(2)), football, bracket=False) == ["absurd"]
    assert problems(Result(Side(2), Side(1), winner="away"), football, bracket=True) == ["winner_not_the_score"]
    assert problems(Result(Side(1), Side(1)), PRESETS["badminton"], bracket=False) == ["draw_not_allowed"]


def test_rules_survive_a_round_trip_through_plain_data():
    for sport, rules in PRESETS.items():
        back = Rules.from_data(rules.to_data())
        assert back.to_data() == rules.to_data(), sport


# --- football, rugby, ultimate, table tennis, tennis: the rest of the 2024 rulebooks --------------------


def test_football_is_3_1_0_then_goal_difference_goals_scored_fewer_sendings_off_then_a_shootout():
    rules = PRESETS["football"]
    assert (rules.match_points.win, rules.match_points.draw, rules.match_points.loss) == (3, 1, 0)
    assert rules.forfeit_won.score == 3 and rules.decider.value == "shootout"
    # a win and a loss each: three level on points, split by the goal difference
    played = [match("x", "y", 3, 1), match("y", "z", 4, 0), match("z", "x", 2, 0)]
    t = table("A", ["x", "y", "z"], played, rules, complete=True)
    assert order_of(t) == ["y", "x", "z"]  # difference +2, 0, -2
    level = [match("x", "y", 1, 0, away_sendings_off=1), match("y", "x", 1, 0, home_sendings_off=1)]
    t = table("B", ["x", "y"], level, rules, complete=True)
    assert order_of(t) == ["x", "y"] and t.notes[0].criterion is Criterion.FEWER_SENDINGS_OFF  # 0 against 2


def test_rugby_is_3_1_0_then_points_difference_then_tries():
    rules = PRESETS["rugby"]
    assert rules.forfeit_won.score == 25 and rules.decider.value == "sudden_death"
    # a and b level on points and difference; b scored more tries
    played = [match("a", "b", 20, 20, home_tries=2, away_tries=3), match("a", "c", 10, 5), match("b", "c", 10, 5)]
    t = table("A", ["a", "b", "c"], played, rules, complete=True)
    assert order_of(t)[:2] == ["b", "a"] and t.notes[0].criterion is Criterion.TRIES_SCORED


def test_ultimate_puts_the_fair_play_mark_before_the_points_difference():
    rules = PRESETS["ultimate"]
    assert (rules.match_points.win, rules.match_points.draw, rules.match_points.loss) == (3, 2, 1)
    assert rules.forfeit_won.score == 13
    # each wins once: three level on points; a has by far the best difference, b the best fair-play marks
    played = [
        match("a", "c", 15, 2, home_fair_play=8, away_fair_play=10),
        match("b", "c", 12, 13, home_fair_play=12, away_fair_play=10),
        match("a", "b", 11, 13, home_fair_play=9, away_fair_play=12),
    ]
    t = table("A", ["a", "b", "c"], played, rules, complete=True)
    assert {line.match_points for line in t.lines} == {4}
    assert order_of(t) == ["b", "c", "a"] and t.notes[0].criterion is Criterion.FAIR_PLAY  # 24, 20, 17


def test_table_tennis_ranks_by_ties_won_and_two_level_by_their_direct_tie():
    rules = PRESETS["table-tennis"]
    assert rules.match_points.win == 1 and rules.team_tie == ("MS", "WS", "XD")
    assert rules.sub_forfeit == ((11, 0), (11, 0))  # chosen: the rulebook's 2-0 for the match in progress
    x_beats_y = tie_result(
        [SubMatch(((11, 5), (11, 5))), SubMatch(((11, 5), (11, 5))), SubMatch(((5, 11), (5, 11)))], rules
    )
    y_beats_z = tie_result([SubMatch(((11, 0), (11, 0)))] * 3, rules)
    z_beats_x = tie_result([SubMatch(((11, 0), (11, 0)))] * 3, rules)
    t = table(
        "A",
        ["x", "y", "z"],
        [Played("x", "y", x_beats_y), Played("y", "z", y_beats_z), Played("z", "x", z_beats_x)],
        rules,
        complete=True,
    )
    assert {line.match_points for line in t.lines} == {1}  # one tie won each: three level, by set difference
    assert t.notes[0].criterion is Criterion.SET_DIFFERENCE


def test_tennis_two_level_by_their_direct_tie_three_by_matches_won():
    rules = PRESETS["tennis"]
    assert rules.sub_forfeit == ((6, 0),) and rules.forfeit_won.score == 3  # a tie given up: 3-0, each match 6-0
    two = [
        Played("x", "y", Result(Side(2, 2, 12), Side(1, 1, 6))),
        Played("y", "z", Result(Side(3, 3, 18), Side(0))),
        Played("z", "x", Result(Side(0), Side(3, 3, 18))),
        Played("x", "w", Result(Side(0), Side(3, 3, 18))),
        Played("y", "w", Result(Side(3, 3, 18), Side(0))),
        Played("z", "w", Result(Side(0), Side(3, 3, 18))),
    ]
    t = table("A", ["w", "x", "y", "z"], two, rules, complete=True)
    # x, y and w won two ties each: three level, by matches won (x 5, y 7, w 6)
    assert order_of(t)[:3] == ["y", "w", "x"] and t.notes[0].criterion is Criterion.SCORED
