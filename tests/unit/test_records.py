"""The records engine over a small history shaped like the real one (the records as the pages, the API
and the workbook show them: tests/test_records.py)."""

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from cartel.core.records import (
    EditionHistory,
    Placing,
    PriorTitles,
    StandingEntry,
    TitleCount,
    compute_records,
    palmares,
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
    assert current == longest and unknown is None


def test_current_streak_unknown_when_latest_winner_unknown():
    _, current, unknown = streaks(HISTORY)
    assert current == () and unknown == 2025


def test_streak_broken_by_another_winner_is_exact():
    history = [
        edition(2000, 1, winner="b"),
        edition(2001, 2, winner="a"),
        edition(2002, 3, winner="a"),
        edition(2003, 4, winner="b"),
    ]
    longest, current, _ = streaks(history)
    assert [(s.school, s.length, s.at_least) for s in longest] == [("a", 2, False)]
    assert [(s.school, s.length) for s in current] == [("b", 1)]


def test_podium_in_every_discipline_and_most_wins():
    records = compute_records(HISTORY, PRIOR)
    assert records.podium_in_every_discipline == (("ales", 2023, 3),)
    assert records.most_disciplines_won == (("ales", 2023, 2),)


def test_editions_hosted_skip_cancelled_and_unfinished():
    records = compute_records(HISTORY, PRIOR)
    assert records.editions_hosted["ales"] == [2012, 2023]
    assert "nancy" not in records.editions_hosted


def shared(year, number, *schools, points=None):
    """An edition won jointly by ``schools`` (a shared 1st place)."""
    return edition(year, number, standing=tuple(StandingEntry(s, 1, points) for s in schools))


def test_a_shared_title_in_the_latest_edition_gives_both_schools_the_current_streak():
    history = [edition(2000, 1, winner="a"), edition(2001, 2, winner="a"), shared(2002, 3, "b", "a")]
    current = compute_records(history).current_streaks
    assert [(s.school, s.length, s.first_year, s.last_year, s.at_least) for s in current] == [
        ("a", 3, 2000, 2002, False),
        ("b", 1, 2002, 2002, False),
    ]


def test_a_complete_history_from_edition_1_gives_exact_counts():
    history = [
        edition(2000, 1, winner="a"),
        edition(2001, 2, winner="b"),
        edition(2002, None, cancelled=True),
        edition(2003, 3, winner="a"),
        edition(2004, 4, winner="a"),
        edition(2005, 5, counts=False, live=True),
    ]
    assert title_counts(history, []) == (TitleCount("a", 3, False), TitleCount("b", 1, False))
    longest, current, _ = streaks(history)
    assert [(s.school, s.length, s.at_least) for s in longest] == [("a", 2, False)]
    assert [(s.school, s.at_least) for s in current] == [("a", False)]


def test_counts_stay_at_least_where_an_earlier_edition_or_titles_are_unknown():
    complete = [edition(2000, 1, winner="a"), edition(2001, 2, winner="a"), edition(2002, 3, winner="a")]
    missing_edition = [complete[0], complete[2]]  # edition 2 not recorded
    late_start = complete[1:]  # editions before 2 not recorded, and no prior count
    unknown_winner = [complete[0], edition(2001, 2), complete[2]]
    unnumbered_unknown = [edition(1990, None), *complete]  # an edition whose number and winner are unknown
    for history in (missing_edition, late_start, unknown_winner, unnumbered_unknown):
        assert title_counts(history, [])[0].at_least, history
    assert not title_counts(complete, [])[0].at_least
    # a prior count covers the editions before its year; a gap after it is still unknown
    assert title_counts(late_start, [PriorTitles("a", 2001, 1)]) == (TitleCount("a", 3, False),)
    assert title_counts(missing_edition, [PriorTitles("a", 2000, 0)])[0].at_least


def test_roll_of_honour_tells_live_and_planned_editions_from_unknown_winners():
    history = [
        edition(2020, None, cancelled=True),
        edition(2024, 49, winner="a"),
        edition(2025, 50),
        edition(2026, 51, counts=False, live=True),
        edition(2027, 52, counts=False),
    ]
    assert [(p.year, p.status, p.winners) for p in palmares(history)] == [
        (2027, "planned", ()),
        (2026, "live", ()),
        (2025, "finished", ()),
        (2024, "finished", ("a",)),
        (2020, "cancelled", ()),
    ]


def test_schools_sharing_a_rank_or_a_record_are_listed_in_the_given_order():
    names = {1: "Zeta", 2: "Alpha", 10: "Mu"}
    tie = (StandingEntry(1, 1, Fraction(5)), StandingEntry(10, 1, Fraction(5)), StandingEntry(2, 1, Fraction(5)))
    placings = tuple(Placing("swim", s, 1) for s in (1, 10, 2))
    history = [EditionHistory(2000, 1, None, standing=tie, programme=frozenset({"swim"}), placings=placings)]
    records = compute_records(history, order=names.get)
    by_name = [2, 10, 1]
    assert [t.school for t in records.titles] == by_name
    assert list(records.palmares[0].winners) == by_name
    assert [s.school for s in records.longest_streaks] == by_name
    assert [s.school for s in records.current_streaks] == by_name
    assert [s for s, _ in records.record_points.holders] == by_name
    assert [s for s, _, _ in records.podium_in_every_discipline] == by_name
    assert [s for s, _, _ in records.most_disciplines_won] == by_name


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


shared_winners = st.lists(st.frozensets(st.sampled_from(["a", "b", "c"]), max_size=2), min_size=1, max_size=10)


@given(shared_winners)
def test_every_winner_of_the_latest_edition_holds_a_current_streak(sequence):
    history = [shared(2000 + i, i + 1, *sorted(w)) for i, w in enumerate(sequence)]
    _, current, unknown = streaks(history)
    latest = sequence[-1]
    assert sorted(s.school for s in current) == sorted(latest)
    assert unknown == (None if latest else 2000 + len(sequence) - 1)
    for s in current:
        won = 0
        while won < len(sequence) and s.school in sequence[-1 - won]:
            won += 1
        assert (s.length, s.last_year) == (won, 2000 + len(sequence) - 1)


@given(winners)
def test_at_least_only_where_an_earlier_winner_is_unknown(sequence):
    history = [edition(2000 + i, i + 1, winner=w) for i, w in enumerate(sequence)]
    assert all(t.at_least == (None in sequence) for t in title_counts(history, []))
    longest, current, _ = streaks(history)
    for s in longest + current:
        first = s.first_year - 2000
        assert s.at_least == (first > 0 and sequence[first - 1] is None)
