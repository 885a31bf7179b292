"""Schools' colours on the big screen's dark background: readable, and distinct from each other."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cartel.core.colours import MIN_CONTRAST, MIN_DISTANCE, contrast, distance, for_screen

BACKGROUND = "#0b0e13"


def test_a_black_school_gets_a_readable_colour_and_two_alike_are_told_apart():
    mines_paris, ales, eurecom = "#000000", "#1d3f8f", "#1d3f90"
    shown = for_screen([mines_paris, ales, eurecom], BACKGROUND)
    assert all(contrast(c, BACKGROUND) >= MIN_CONTRAST for c in shown)
    assert distance(shown[1], shown[2]) >= MIN_DISTANCE  # Alès and EURECOM no longer share a colour
    assert for_screen(["#ffd24d"], BACKGROUND) == ["#ffd24d"]  # a readable colour is kept as it is


@given(st.lists(st.one_of(st.none(), st.from_regex(r"#[0-9a-f]{6}", fullmatch=True)), max_size=16))
def test_every_colour_is_readable_and_distinct_from_the_others(colours):
    shown = for_screen(colours, BACKGROUND)
    assert len(shown) == len(colours)
    assert all(contrast(c, BACKGROUND) >= MIN_CONTRAST for c in shown)
    assert all(distance(a, b) >= MIN_DISTANCE for i, a in enumerate(shown) for b in shown[i + 1 :])
