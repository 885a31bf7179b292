"""A tournament in a real Chromium: an administrator sets up twelve teams in pools and a bracket from the
handball preset (interactions counted), and an organiser on a 360 px phone plays a discipline from its
first pool match to its final, a score in three taps plus its digits, whose places reach the ranking."""

from __future__ import annotations

import pytest

from cartel.extensions import db
from cartel.words.typography import french
from tests.helpers import PASSWORD, browser_app, serving, sign_in

TWELVE = [f"ecole-{k:02}" for k in range(1, 13)]


@pytest.fixture
def tournament_server(template_database, tmp_path):
    """Twelve schools in a live 2027 edition with handball (men) and football (women); an administrator and
    an organiser; the football tournament already set up as pools of 3 and 2, the winners in the final."""
    app = browser_app(template_database, tmp_path)
    with app.app_context():
        from cartel.core.tournament.presets import PRESETS
        from cartel.core.tournament.shapes import Shape
        from cartel.core.tournament.spec import Spec
        from cartel.models import (
            Category,
            Discipline,
            Edition,
            EditionStatus,
            Participation,
            PointsScheme,
            ProgrammeEntry,
            Role,
            School,
            Sport,
            User,
        )
        from cartel.write.audit import Actor
        from cartel.write.tournaments import set_up
        from cartel.write.unit import unit_of_work

        schools = [School(slug=s, name=f"École {s[-2:]}", short_name=s[-2:], country="FR") for s in TWELVE]
        handball = Sport(slug="handball", name_fr="Handball", name_en="Handball")
        football = Sport(slug="football", name_fr="Football", name_en="Football")
        hb = Discipline(slug="handball-men", sport=handball, category=Category.MEN)
        fb = Discipline(slug="football-women", sport=football, category=Category.WOMEN)
        edition = Edition(year=2027, number=52, status=EditionStatus.LIVE)
        edition.participations = [Participation(school=s) for s in schools]
        edition.programme = [ProgrammeEntry(discipline=d, version=0) for d in (hb, fb)]
        edition.scheme = PointsScheme(place_points=[10, 6, 4, 2, 1], tie_rule="shared", tie_breaks=[1, 2, 3])
        users = [User(email="admin@example.org", role=Role.ADMIN), User(email="orga@example.org", role=Role.ORGANISER)]
        for user in users:
            user.set_password(PASSWORD)
        db.session.add_all([*schools, edition, *users])
        db.session.commit()
        spec = Spec(Shape.POOLS_THEN_BRACKETS, (tuple(TWELVE[:3]), tuple(TWELVE[3:5])), advance=1)
        with unit_of_work():
            set_up(edition, edition.programme[1], spec, PRESETS["football"], Actor(), preset="football")
        db.session.remove()
    yield from serving(app)


def log_in(browser, server, email, viewport):
    context = browser.new_context(viewport=viewport, locale="fr-FR", has_touch=True)
    page = context.new_page()
    sign_in(page, server, email)
    page.wait_for_load_state()
    return page


def test_an_administrator_sets_up_twelve_teams_in_pools_and_a_bracket_in_at_most_8_interactions(
    tournament_server, browser
):
    server = tournament_server.url
    page = log_in(browser, server, "admin@example.org", {"width": 1280, "height": 900})
    page.goto(f"{server}/admin/editions/2027")
    steps = []

    def click(locator, why):
        steps.append(why)
        locator.click()

    click(page.get_by_role("link", name="Tournois : poules, tableaux et règlement de chaque discipline"), "tournaments")
    click(page.get_by_role("link", name="Handball masculin"), "the discipline")
    # proposed: pools then a bracket, handball's rules, twelve teams in four pools of three
    assert page.get_by_label("Poules, puis un tableau pour chaque place").is_checked()
    assert page.get_by_label("Règlement de départ").input_value() == "handball"
    assert page.get_by_label("Poules", exact=True).input_value() == "4"
    click(page.get_by_role("button", name="Enregistrer le tournoi"), "save")
    page.wait_for_url("**/admin/editions/2027/tournaments")
    main = " ".join(page.inner_text("main").split())
    assert "Handball masculin : tournoi enregistré, 12 équipes." in main  # spaces made plain above
    assert "Poules, puis un tableau pour chaque place : 12 équipes, 28 matchs" in main
    assert len(steps) <= 8, steps
    page.context.close()


def test_a_discipline_is_played_from_its_first_pool_match_to_its_final_on_a_phone(tournament_server, browser):
    server = tournament_server.url
    page = log_in(browser, server, "orga@example.org", {"width": 360, "height": 740})
    page.goto(f"{server}/saisie/")
    page.get_by_role("link", name="Football féminin").click()
    page.wait_for_url("**/saisie/football-women")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing wider than the phone

    played = 0
    while True:
        # the next match whose teams are known, as the list shows it
        links = page.locator("ul.matches a[data-match]")
        codes = [links.nth(k).get_attribute("data-match") for k in range(links.count())]
        texts = [" ".join(links.nth(k).inner_text().split()) for k in range(links.count())]
        waiting = [c for c, t in zip(codes, texts, strict=True) if "— – —" not in t and "à venir" in t]
        if not waiting:
            break
        code = waiting[0]
        taps = 0
        page.locator(f"a[data-match='{code}']").click()
        taps += 1
        page.wait_for_url(f"**/saisie/football-women/match/{code}")
        assert page.evaluate("document.activeElement.id") == "home"  # the keypad is up for the home score
        page.keyboard.type(str(played + 2))
        page.locator("#away").click()
        taps += 1
        page.keyboard.type("1")
        page.get_by_role("button", name="Enregistrer (définitif)").click()
        taps += 1
        assert taps <= 3
        page.wait_for_url("**/saved/*")
        assert french("Enregistré : ") in page.inner_text("main")
        played += 1
    assert played == 7  # 3 + 1 pool matches, the final, the play-in and the match for 3rd place
    page.goto(f"{server}/editions/2027")
    ranking = " ".join(page.inner_text("main").split())
    assert "Football féminin" in ranking
    # the final's winner has the 10 points of the 1st place in the general ranking
    first = page.locator("table tbody tr").first
    assert "10" in first.inner_text()
    page.context.close()
