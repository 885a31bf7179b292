"""A real Chromium (Debian's, driven by Playwright) on a phone-sized screen against a live server."""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from cartel import create_app
from cartel.extensions import db
from tests.conftest import POSTGRES_URL, _config

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(POSTGRES_URL is not None, reason="browser tests run once, on SQLite"),
]


@pytest.fixture
def server(template_database, tmp_path):
    """The app on a free port of 127.0.0.1, CSRF on, with a live edition and an organiser."""
    copy = tmp_path / "browser.sqlite3"
    shutil.copy(template_database, copy)
    config = {**_config(f"sqlite:///{copy}"), "WTF_CSRF_ENABLED": True}
    config.pop("SERVER_NAME")
    app = create_app(config)
    with app.app_context():
        from cartel.models import (
            Category, Discipline, Edition, EditionStatus, Participation, PointsScheme, ProgrammeEntry, School,
            Sport, User, Role,
        )
        schools = [School(slug=slug, name=name, short_name=short, country="FR") for slug, name, short in [
            ("imt-mines-ales", "IMT Mines Alès", "Alès"), ("imt-mines-albi", "IMT Mines Albi", "Albi"),
            ("mines-nancy", "Mines Nancy", "Nancy"), ("imt-nord-europe", "IMT Nord Europe", "Nord Europe"),
            ("mines-saint-etienne", "Mines Saint-Étienne", "Saint-Étienne")]]
        handball = Sport(slug="handball", name_fr="Handball", name_en="Handball")
        rugby = Sport(slug="rugby", name_fr="Rugby", name_en="Rugby")
        disciplines = [Discipline(slug="handball-men", sport=handball, category=Category.MEN),
                       Discipline(slug="rugby-women", sport=rugby, category=Category.WOMEN)]
        edition = Edition(year=2026, number=51, status=EditionStatus.LIVE, host=schools[2])
        edition.participations = [Participation(school=s) for s in schools]
        edition.programme = [ProgrammeEntry(discipline=d, version=0) for d in disciplines]
        edition.scheme = PointsScheme(place_points=[10, 6, 4, 2], tie_rule="shared", tie_breaks=[1, 2, 3])
        user = User(email="orga@example.org", role=Role.ORGANISER)
        user.set_password("correct horse battery")
        db.session.add_all([*schools, edition, user])
        db.session.commit()
        db.session.remove()
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}"
    http.shutdown()
    thread.join(5)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make test does it in CI)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


class TapCounter:
    """Counts the taps an organiser makes, to check the podium's tap budget."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def tap(self, selector: str) -> None:
        self.count += 1
        self.page.locator(selector).click()


def screenshot_dir(tmp_path) -> Path:
    return Path(os.environ.get("CARTEL_SCREENSHOT_DIR") or tmp_path)


def test_organiser_records_a_podium_with_a_shared_third_place_on_a_phone(server, browser, tmp_path):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR", has_touch=True)
    page = context.new_page()
    page.goto(f"{server}/login")
    page.get_by_label("E-mail").fill("orga@example.org")
    page.get_by_label("Mot de passe").fill("correct horse battery")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{server}/saisie/")

    # A plain podium: from the chosen discipline, three taps and save.
    page.get_by_role("link", name="Rugby féminin").click()
    taps = TapCounter(page)
    taps.tap("label[for='r1-imt-mines-ales']")
    taps.tap("label[for='r2-mines-saint-etienne']")
    taps.tap("label[for='r3-imt-mines-albi']")
    taps.tap("button[value='final']")
    page.wait_for_url("**/saisie/rugby-women/saved/1")
    assert taps.count == 4
    assert "Enregistré : résultat définitif." in page.inner_text("main")

    # A podium with a shared 3rd place.
    page.goto(f"{server}/saisie/handball-men")
    page.locator("label[for='r1-imt-mines-ales']").click()
    page.locator("label[for='r2-mines-nancy']").click()
    page.locator("label[for='r3-imt-mines-albi']").click()
    page.get_by_text("Autres places, 3e place partagée").click()
    page.locator("label[for='r4-imt-nord-europe']").click()
    page.locator("#row-4").get_by_label("Ex aequo avec la place au-dessus").check()
    page.screenshot(path=str(screenshot_dir(tmp_path) / "entry-form.png"), full_page=False)
    page.locator("button[value='final']").click()
    page.wait_for_url("**/saisie/handball-men/saved/1")
    saved = " ".join(page.inner_text("main").split())
    assert "3 IMT Mines Albi +4 3 IMT Nord Europe +4" in saved
    page.screenshot(path=str(screenshot_dir(tmp_path) / "entry-saved.png"), full_page=False)

    # The public sees it.
    public = browser.new_page(viewport={"width": 390, "height": 844})
    public.goto(f"{server}/editions/2026")
    handball = public.locator(".podiums > li", has_text="Handball masculin")
    places = [" ".join(t.split()) for t in handball.locator(".places li").all_inner_texts()]
    assert places == ["1 IMT Mines Alès", "2 Mines Nancy", "3 IMT Mines Albi", "3 IMT Nord Europe"]
    context.close()


def test_no_horizontal_scroll_at_360_px(server, browser):
    page = browser.new_page(viewport={"width": 360, "height": 740})
    for path in ["/", "/editions", "/editions/2026", "/records", "/schools/imt-mines-ales", "/login"]:
        page.goto(server + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, (path, width)
