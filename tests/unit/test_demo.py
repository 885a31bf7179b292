"""The demo's script holds what a newcomer should see (the demo run on a database of its own:
tests/test_demo.py)."""

from __future__ import annotations

import re
from collections import Counter

from cartel.commands import demo


def test_the_script_holds_what_a_newcomer_should_see():
    steps = demo.script()
    actions = Counter(s.action for s in steps)
    assert actions["correct"] >= 1 and actions["confirm"] >= 1 and actions["penalty"] == 1 and actions["start"] >= 1
    results = demo.final_results()
    assert set(results) == {demo.discipline_slug(s, c) for s, c in demo.PROGRAMME}
    assert 16 <= len(results) <= 20 and 8 <= len(demo.TEAMS) <= 10
    assert any(Counter(place for place, _ in places)[3] == 2 for places in results.values())  # a shared 3rd
    for _slug, name, _short, colour, _strength in demo.TEAMS:
        assert name.startswith("Équipe ") and re.fullmatch(r"#[0-9a-f]{6}", colour)
    assert demo.YEAR > 2090
