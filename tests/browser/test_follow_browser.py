"""A student follows a school's day on a phone (360 × 740) in a real Chromium: the school chosen once is
marked on the pages, and a score saved meanwhile appears without reloading."""

from __future__ import annotations

import pytest

from cartel.extensions import db
from tests.helpers import browser_app, serving

SCHOOLS = [
    ("ales", "IMT Mines Alès"),
    ("albi", "IMT Mines Albi"),
    ("nancy", "Mines Nancy"),
    ("douai", "IMT Nord Europe"),
]


@pytest.fixture
def follow_server(template_database, tmp_path):
    app = browser_app(template_database, tmp_path, CARTEL_POLL_SECONDS=1)
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
            School,
            Sport,
        )
        from cartel.write.audit import Actor
        from cartel.write.tournaments import set_up
        from cartel.write.unit import unit_of_work

        schools = [School(slug=s, name=n, short_name=n[-6:], country="FR") for s, n in SCHOOLS]
        sport = Sport(slug="handball", name_fr="Handball", name_en="Handball")
        hb = Discipline(slug="handball-men", sport=sport, category=Category.MEN)
        edition = Edition(year=2027, number=52, status=EditionStatus.LIVE)
        edition.participations = [Participation(school=s) for s in schools]
        edition.programme = [ProgrammeEntry(discipline=hb, version=0)]
        edition.scheme = PointsScheme(place_points=[10, 6, 4, 2], tie_rule="shared", tie_breaks=[1, 2, 3])
        db.session.add_all([*schools, edition])
        db.session.commit()
        spec = Spec(Shape.POOLS_THEN_BRACKETS, (("ales", "albi"), ("nancy", "douai")), advance=1)
        with unit_of_work():
            set_up(edition, edition.programme[0], spec, PRESETS["handball"], Actor())
        db.session.remove()
    yield from serving(app)


def save(app, code: str, home: int, away: int) -> None:
    from cartel.core.tournament.rules import Side
    from cartel.core.tournament.sheet import Sheet
    from cartel.models import Edition, MatchState
    from cartel.read.tournaments import tournament_of
    from cartel.write.audit import Actor
    from cartel.write.tournaments import save_match
    from cartel.write.unit import unit_of_work

    with app.app_context():
        edition = db.session.query(Edition).filter_by(year=2027).one()
        entry = edition.programme[0]
        match = next(m for m in tournament_of(entry).matches if m.code == code)
        with unit_of_work():
            save_match(
                edition,
                entry,
                code,
                Sheet(Side(home), Side(away)),
                MatchState.FINAL,
                Actor(),
                expected_version=match.version,
            )
        db.session.remove()


def test_a_student_follows_a_school_s_day_and_sees_a_score_arrive_without_reloading(follow_server, browser):
    server = follow_server.url
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="fr-FR", has_touch=True)
    page = context.new_page()
    page.goto(f"{server}/editions/2027/schools/ales")
    page.get_by_role("link", name="C'est mon école : la mettre en évidence partout").click()
    page.wait_for_url("**/editions/2027/schools/ales")
    assert "mine" in (page.locator("h1").get_attribute("class") or "")  # marked: the visitor's school
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.evaluate("window.__notReloaded = true")
    save(follow_server.app, "A-1.1", 25, 20)
    page.locator("#live li", has_text="25–20").first.wait_for(timeout=10_000)  # the page polls every second
    assert page.evaluate("window.__notReloaded") is True
    # the match now in the results is marked as the school's too
    assert page.locator("#live li.mine").count() >= 1
    page.goto(f"{server}/editions/2027")
    assert "mine" in (page.locator("tr[data-school='ales']").get_attribute("class") or "")
    context.close()
