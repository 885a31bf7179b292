"""A schedule's conflicts, from the event's own rhythm (matches every few minutes on each venue)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from cartel.core.tournament.schedule import Clash, Conflict, Slot, conflicts

DAY = dt.datetime(2027, 4, 16, 9, 0)


def at(minutes: int) -> dt.datetime:
    return DAY + dt.timedelta(minutes=minutes)


def test_a_venue_booked_twice_and_a_team_in_two_places_at_once_are_flagged():
    slots = [
        Slot("hb/A-1.1", at(0), 20, "Gymnase 1", ("ales", "albi"), rest=10),
        Slot("fb/A-1.1", at(10), 20, "Gymnase 1", ("nancy", "douai"), rest=10),  # same venue, overlapping
        Slot("bb/A-1.1", at(15), 20, "Terrain 2", ("ales+mines-paris", "eurecom"), rest=10),  # Alès busy
    ]
    assert conflicts(slots) == [
        Conflict(Clash.VENUE_TWICE, ("hb/A-1.1", "fb/A-1.1"), "Gymnase 1"),
        Conflict(Clash.TEAM_TWICE, ("hb/A-1.1", "bb/A-1.1"), "ales"),
    ]


def test_a_team_needs_its_rest_but_a_venue_may_follow_on_at_once():
    slots = [
        Slot("hb/A-1.1", at(0), 20, "Gymnase 1", ("ales", "albi"), rest=10),
        Slot("hb/A-2.1", at(20), 20, "Gymnase 1", ("douai", "eurecom"), rest=10),  # the venue is free again
        Slot("hb/A-3.1", at(25), 20, "Gymnase 2", ("albi", "nancy"), rest=10),  # Albi rested 5 minutes
        Slot("hb/B-1.1", at(70), 20, "Gymnase 2", ("albi", "ales"), rest=10),  # rested enough
    ]
    assert conflicts(slots) == [Conflict(Clash.NO_REST, ("hb/A-1.1", "hb/A-3.1"), "albi")]


def test_teams_not_known_yet_clash_with_nobody():
    slots = [Slot("hb/1-2", at(0), 20, "Gymnase 1"), Slot("fb/1-2", at(5), 20, "Gymnase 2")]
    assert conflicts(slots) == []


@given(st.lists(st.tuples(st.integers(0, 600), st.sampled_from("ABC"), st.sampled_from("abcdef")), max_size=12))
def test_matches_far_enough_apart_never_clash_and_the_order_given_changes_nothing(raw):
    slots = [Slot(f"m{k}", at(m), 20, venue, (team, "z")) for k, (m, venue, team) in enumerate(raw)]
    assert conflicts(slots) == conflicts(list(reversed(slots)))
    spread = [Slot(s.key, at(30 * k), 20, s.venue, s.teams, rest=10) for k, s in enumerate(slots)]
    assert conflicts(spread) == []
