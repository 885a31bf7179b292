"""The race's pure replay against the points engine (the charts of the pages: tests/test_pictures.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from cartel.core import race, scoring

T0 = datetime(2026, 4, 16, 9, 0)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.tuples(
                st.just("result"),
                st.integers(1, 3),
                st.lists(st.tuples(st.integers(1, 5), st.sets(st.integers(1, 5), min_size=1, max_size=2)), max_size=4),
            ),
            st.tuples(st.just("adjust"), st.integers(1, 3), st.integers(1, 5), st.integers(-10, 10) | st.none()),
        ),
        max_size=15,
    ),
    st.sampled_from(list(scoring.TieRule)),
)
def test_the_replay_ends_where_the_engine_does(events, tie_rule):
    """Whatever the order of saves, corrections and penalties, the last step equals the ranking of the
    final state computed by the engine, and each step the ranking of the state at that moment."""
    scheme = scoring.ScoringScheme((Fraction(10), Fraction(6), Fraction(4), Fraction(2)), tie_rule, ())
    weights = {1: 1, 2: Fraction(1, 2), 3: 2}
    recorded, podiums, adjustments = [], {}, {}
    for k, event in enumerate(events):
        at = T0 + timedelta(minutes=k)
        if event[0] == "result":
            places = tuple((p, tuple(sorted(team))) for p, team in event[2])
            recorded.append(race.ResultRecorded(at, event[1], places))
            podiums[event[1]] = [scoring.Finish(event[1], p, team) for p, team in places]
        else:
            points = None if event[3] is None else Fraction(event[3])
            recorded.append(race.AdjustmentRecorded(at, event[1], event[2], points))
            if points is None:
                adjustments.pop(event[1], None)
            else:
                adjustments[event[1]] = scoring.Adjustment(event[2], points, "")
        steps = race.replay(range(1, 6), scheme, weights, recorded)
        ranking = scoring.rank_schools(
            range(1, 6), [p for ps in podiums.values() for p in ps], scheme, weights, (), adjustments.values()
        )
        assert race.ends_at(steps, {r.school: r.points for r in ranking.rows})
        assert len(steps) == k + 1


def test_a_race_that_misses_results_does_not_end_at_the_ranking():
    scheme = scoring.ScoringScheme((Fraction(10), Fraction(6)), scoring.TieRule.SHARED, ())
    steps = race.replay([1, 2], scheme, {1: 1, 2: 1}, [race.ResultRecorded(T0, 1, ((1, (1,)), (2, (2,))))])
    assert steps[-1].totals == {1: 10, 2: 6}
    assert race.ends_at(steps, {1: 10, 2: 6}) and not race.ends_at(steps, {1: 20, 2: 6})
    assert not race.ends_at((), {1: 0})
