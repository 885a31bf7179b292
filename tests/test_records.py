"""The records engine over a small history shaped like the real one."""

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from cartel.records import (
    EditionHistory,
    Placing,
    PriorTitles,
    StandingEntry,
    TitleCount,
    compute_records,
    streaks,
    title_counts,
)


def edition(year, number, host=None, winner=None, points=None, **kw):
    if winner:
        kw["standing"] = (StandingEntry(winner, 1, points),)
    return EditionHistory(year=year, number=number, host=host, **kw)


PROGRAMME = frozenset({"hb-m", "hb-f", "swim"})
HISTORY = [
    edition(2012, None, host="ales"),
    edition(2018, 45, host="lille"),
    edition(2020, None, cancelled=True),
    edition(2022, 47, host="st-etienne", winner="ales"),
    edition(
        2023,
        48,
        host="ales",
        winner="ales",
        points=Fraction(325),
        programme=PROGRAMME,
        placings=(
            Placing("hb-m", "ales", 1),
            Placing("hb-f", "ales", 1),
            Placing("swim", "ales", 2),
            Placing("swim", "albi", 1),
            Placing("hb-m", "albi", 2),
        ),
    ),
    edition(2024, 49, host="nantes", winner="ales"),
    edition(2025, 50, host="paris"),
    edition(2026, None, host="nancy", counts=False),
]
PRIOR = [PriorTitles("ales", before_year=2022, count=29, source="2023 report")]


def test_titles_add_the_prior_count_and_recorded_wins():
    assert title_counts(HISTORY, PRIOR, as_of_year=2023)[0] == TitleCount("ales", 31, False)
    assert title_counts(HISTORY, PRIOR, as_of_year=2024)[0].count == 32


def test_titles_are_at_least_when_a_winner_in_the_span_is_unknown():
    ales = title_counts(HISTORY, PRIOR)[0]
    assert (ales.count, ales.at_least) == (32, True)  # 2025's winner is unknown


def test_prior_count_does_not_apply_before_its_year():
    ales = title_counts(HISTORY, PRIOR, as_of_year=2018)
    assert ales == ()


def test_record_points_and_palmares():
    records = compute_records(HISTORY, PRIOR, as_of_year=2023)
    assert records.record_points.points == 325
    assert records.record_points.holders == (("ales", 2023),)
    assert [(p.year, p.winners) for p in records.palmares][:2] == [(2023, ("ales",)), (2022, ("ales",))]
    assert records.school_points_records["ales"].points == 325


def test_record_points_lists_all_joint_holders():
    history = [
        edition(2022, 47, winner="a", points=Fraction(300)),
        edition(2023, 48, standing=(StandingEntry("b", 1, Fraction(310)), StandingEntry("c", 1, Fraction(310)))),
    ]
    assert compute_records(history).record_points.holders == (("b", 2023), ("c", 2023))


def test_streak_over_consecutive_numbers_is_at_least_when_history_before_is_unknown():
    longest, current, unknown = streaks(HISTORY, as_of_year=2024)
    assert [(s.school, s.length, s.at_least) for s in longest] == [("ales", 3, True)]
    assert current == longest[0] and unknown is None


def test_current_streak_unknown_when_latest_winner_unknown():
    _, current, unknown = streaks(HISTORY)
    assert current is None and unknown == 2025


def test_streak_broken_by_another_winner_is_exact():
    history = [
        edition(2000, 1, winner="b"),
        edition(2001, 2, winner="a"),
        edition(2002, 3, winner="a"),
        edition(2003, 4, winner="b"),
    ]
    longest, current, _ = streaks(history)
    assert [(s.school, s.length, s.at_least) for s in longest] == [("a", 2, False)]
    assert (current.school, current.length) == ("b", 1)


def test_podium_in_every_discipline_and_most_wins():
    records = compute_records(HISTORY, PRIOR)
    assert records.podium_in_every_discipline == (("ales", 2023, 3),)
    assert records.most_disciplines_won == (("ales", 2023, 2),)


def test_editions_hosted_skip_cancelled_and_unfinished():
    records = compute_records(HISTORY, PRIOR)
    assert records.editions_hosted["ales"] == [2012, 2023]
    assert "nancy" not in records.editions_hosted


winners = st.lists(st.sampled_from(["a", "b", "c", None]), min_size=1, max_size=12)


@given(winners, st.integers(0, 20))
def test_titles_never_decrease_as_history_grows(sequence, prior):
    history = [edition(2000 + i, i + 1, winner=w) for i, w in enumerate(sequence)]
    prior_titles = [PriorTitles("a", 2000, prior)]
    previous = {}
    for year in range(2000, 2000 + len(sequence)):
        now = {t.school: t.count for t in title_counts(history, prior_titles, as_of_year=year)}
        assert all(now.get(s, 0) >= c for s, c in previous.items())
        previous = now
    assert sum(t.count for t in title_counts(history, [])) == sum(1 for w in sequence if w)


@given(winners)
def test_longest_streak_is_the_longest_run_of_one_winner(sequence):
    history = [edition(2000 + i, i + 1, winner=w) for i, w in enumerate(sequence)]
    expected, run, last = 0, 0, None
    for w in sequence:
        run = run + 1 if (w is not None and w == last) else (1 if w else 0)
        last = w
        expected = max(expected, run)
    longest, _, _ = streaks(history)
    assert (longest[0].length if longest else 0) == expected
