"""An administrator gives a discipline its tournament: the format, the rules from the sport's preset (or
the previous edition's), the pools seeded in a snake from the previous edition's places."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from cartel.core.tournament.presets import PRESETS
from cartel.core.tournament.rules import Rules
from cartel.core.tournament.shapes import Shape
from cartel.core.tournament.spec import Spec
from cartel.extensions import db
from cartel.models import Category, EditionStatus, Tournament
from cartel.read.tournaments import tournament_of
from tests.helpers import entry_of, form_data, login, text

SLUGS = [f"school-{k:02}" for k in range(1, 13)]


@pytest.fixture
def twelve(app, make_school, make_discipline, make_edition, make_user, place, client):
    """A planned 2027 edition of twelve schools with handball (men), whose 2026 places are known."""
    from types import SimpleNamespace

    schools = [make_school(slug, f"School {slug[-2:]}") for slug in SLUGS]
    hb = make_discipline("handball", Category.MEN)
    before = make_edition(2026, 51, schools=schools, disciplines=[hb])
    # 2026: school-12 won, school-11 2nd... school-01 last
    for k, school in enumerate(reversed(schools), start=1):
        place(before, hb, k, school)
    edition = make_edition(2027, 52, status=EditionStatus.PLANNED, schools=schools, disciplines=[hb])
    db.session.commit()
    make_user("admin@example.org", role="admin")
    login(client, "admin@example.org")
    return SimpleNamespace(edition=edition, hb=hb, schools=schools, client=client)


URL = "/admin/editions/2027/tournaments/handball-men?lang=en"


def test_twelve_teams_from_the_handball_preset_in_two_interactions(twelve):
    page = twelve.client.get(URL)
    assert page.status_code == 200
    assert "Seeded by the places of 2026" in text(page)
    data = form_data(page.get_data(as_text=True), "shape")
    # as proposed: pools then brackets, handball's 3-2-1-0, four pools of three in a snake
    assert data["shape"] == "pools_then_brackets" and data["preset"] == "handball"
    assert (data["win"], data["draw"], data["loss"], data["forfeit"]) == ("3", "2", "1", "0")
    assert data["pool_school-12"] == "A" and data["pool_school-11"] == "B" and data["pool_school-08"] == "D"
    assert data["pool_school-05"] == "A"  # back in the snake: 8th seed to D, 9th to D, then C... 12th to A
    saved = twelve.client.post(URL, data=data)
    assert saved.status_code == 303
    tournament = db.session.scalar(sa.select(Tournament))
    spec = Spec.from_data(tournament.spec)
    assert spec.shape is Shape.POOLS_THEN_BRACKETS and [len(p) for p in spec.pools] == [3, 3, 3, 3]
    assert spec.pools[0] == ("school-12", "school-05", "school-04")
    assert Rules.from_data(tournament.rules) == PRESETS["handball"]
    assert len(tournament.matches) == 28  # 12 pool matches, 12 in the bracket of 8, 4 in the consolation


def test_the_draw_is_the_administrator_s_to_change(twelve):
    data = form_data(twelve.client.get(URL).get_data(as_text=True), "shape")
    data["pool_school-12"], data["pool_school-11"] = "B", "A"  # swapped by hand
    data["seed_school-01"] = ""  # school-01 fields no team
    data["pool_school-01"] = ""
    assert twelve.client.post(URL, data=data).status_code == 303
    spec = Spec.from_data(db.session.scalar(sa.select(Tournament)).spec)
    assert "school-11" in spec.pools[0] and "school-12" in spec.pools[1]
    assert "school-01" not in spec.teams and len(spec.teams) == 11


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"pool_school-03": ""}, "School 03 has a seed but no pool."),
        ({"pools": "9"}, "Pools: Number must be between 2 and 8."),
        ({"advance": "4"}, "4 teams per pool cannot go to the bracket"),
        ({"win": "-1"}, "Win: Number must be between 0 and 10."),
        ({"tiebreak_1": "astrology"}, "Not a valid choice"),
        ({"shape": "swiss"}, "Not a valid choice"),
    ],
)
def test_a_set_up_that_would_leave_a_team_without_a_place_is_refused_saying_why(twelve, change, message):
    data = form_data(twelve.client.get(URL).get_data(as_text=True), "shape")
    data.update(change)
    response = twelve.client.post(URL, data=data)
    assert response.status_code == 422
    assert message in text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Tournament)) == 0


def test_a_preset_fills_the_rules_in_and_a_discipline_can_go_back_to_places_entered_directly(twelve):
    data = form_data(twelve.client.get(URL).get_data(as_text=True), "shape")
    data.update(preset="volleyball", apply_preset="1")
    shown = twelve.client.post(URL, data=data)
    again = form_data(shown.get_data(as_text=True), "shape")
    assert (again["win"], again["draw"], again["loss"]) == ("3", "1", "0") and again[
        "tiebreak_1"
    ] == "points_difference"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Tournament)) == 0  # nothing saved yet
    assert twelve.client.post(URL, data=again).status_code == 303
    rules = Rules.from_data(db.session.scalar(sa.select(Tournament)).rules)
    assert rules.max_score == 3 and rules.forfeit_won.points == 20  # the preset's own, kept
    again["shape"] = "direct"
    again["submission_id"] = "other"
    assert twelve.client.post(URL, data=again).status_code == 303
    assert tournament_of(entry_of(twelve, twelve.hb)) is None


def test_the_next_edition_starts_from_this_one_s_rules(twelve, make_edition):
    data = form_data(twelve.client.get(URL).get_data(as_text=True), "shape")
    data["win"] = "4"
    assert twelve.client.post(URL, data=data).status_code == 303
    make_edition(2028, 53, status=EditionStatus.PLANNED, schools=twelve.schools, disciplines=[twelve.hb])
    db.session.commit()
    page = twelve.client.get("/admin/editions/2028/tournaments/handball-men?lang=en")
    assert "Copied from 2027." in text(page) and form_data(page.get_data(as_text=True), "shape")["win"] == "4"


def test_heats_and_a_final_for_a_timed_event(twelve):
    data = form_data(twelve.client.get(URL).get_data(as_text=True), "shape")
    data.update(shape="heats", final_size="4")  # the pool column says each team's heat
    assert twelve.client.post(URL, data=data).status_code == 303
    tournament = db.session.scalar(sa.select(Tournament))
    spec = Spec.from_data(tournament.spec)
    assert spec.shape is Shape.HEATS and [len(h) for h in spec.pools] == [3, 3, 3, 3] and spec.advance == 4
    assert [m.code for m in tournament.matches] == ["H1", "H2", "H3", "H4", "F"]
