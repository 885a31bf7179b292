"""A real Chromium (Debian's, driven by Playwright) on a phone-sized screen against a live server."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
from werkzeug.serving import make_server

from cartel import create_app
from cartel.extensions import db
from tests.conftest import POSTGRES_URL, _config

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(POSTGRES_URL is not None, reason="browser tests run once, on SQLite"),
]


@pytest.fixture
def running(template_database, tmp_path):
    """The app on a free port of 127.0.0.1, CSRF on, with a live edition and an organiser; live
    pages poll every second. ``stop()`` takes the server down (connections refused)."""
    app = browser_app(template_database, tmp_path, CARTEL_POLL_SECONDS=1)
    with app.app_context():
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

        schools = [
            School(slug=slug, name=name, short_name=short, country="FR")
            for slug, name, short in [
                ("imt-mines-ales", "IMT Mines Alès", "Alès"),
                ("imt-mines-albi", "IMT Mines Albi", "Albi"),
                ("mines-nancy", "Mines Nancy", "Nancy"),
                ("imt-nord-europe", "IMT Nord Europe", "Nord Europe"),
                ("mines-saint-etienne", "Mines Saint-Étienne", "Saint-Étienne"),
            ]
        ]
        handball = Sport(slug="handball", name_fr="Handball", name_en="Handball")
        rugby = Sport(slug="rugby", name_fr="Rugby", name_en="Rugby")
        disciplines = [
            Discipline(slug="handball-men", sport=handball, category=Category.MEN),
            Discipline(slug="rugby-women", sport=rugby, category=Category.WOMEN),
        ]
        edition = Edition(year=2026, number=51, status=EditionStatus.LIVE, host=schools[2])
        edition.participations = [Participation(school=s) for s in schools]
        edition.programme = [ProgrammeEntry(discipline=d, version=0) for d in disciplines]
        edition.scheme = PointsScheme(place_points=[10, 6, 4, 2], tie_rule="shared", tie_breaks=[1, 2, 3])
        user = User(email="orga@example.org", role=Role.ORGANISER)
        user.set_password("correct horse battery")
        db.session.add_all([*schools, edition, user])
        db.session.commit()
        db.session.remove()
    yield from serving(app)


def browser_app(template_database, tmp_path, **settings):
    """The app on a copy of the migrated test database, CSRF on, as a browser meets it."""
    copy = tmp_path / "browser.sqlite3"
    shutil.copy(template_database, copy)
    config = {**_config(f"sqlite:///{copy}"), "WTF_CSRF_ENABLED": True, **settings}
    config.pop("SERVER_NAME")
    return create_app(config)


def serving(app):
    """Serve ``app`` on a free port of 127.0.0.1 for a fixture to yield; ``stop()`` takes it down."""
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()

    def stop():
        http.shutdown()
        http.server_close()

    yield SimpleNamespace(url=f"http://127.0.0.1:{http.server_port}", app=app, stop=stop)
    stop()
    thread.join(5)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def server(running):
    return running.url


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


def login_organiser(browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR", has_touch=True)
    page = context.new_page()
    page.goto(f"{server}/login")
    page.get_by_label("E-mail").fill("orga@example.org")
    page.get_by_label("Mot de passe").fill("correct horse battery")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{server}/saisie/")
    return page


def test_organiser_records_a_podium_with_a_shared_third_place_on_a_phone(server, browser, tmp_path):
    page = login_organiser(browser, server)

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
    page.locator("label[for='r4-imt-nord-europe']").click()  # the 4th row shows: no section to open
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
    page.context.close()


def test_no_horizontal_scroll_at_360_px(server, browser):
    page = browser.new_page(viewport={"width": 360, "height": 740})
    for path in ["/", "/editions", "/editions/2026", "/records", "/schools/imt-mines-ales", "/login"]:
        page.goto(server + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, (path, width)


def test_public_page_updates_itself_and_shows_when_the_server_is_gone(running, browser, tmp_path):
    public = browser.new_page(viewport={"width": 390, "height": 600})
    public.goto(f"{running.url}/editions/2026")
    handball = public.locator(".podiums > li", has_text="Handball masculin")
    assert "à venir" in handball.inner_text()
    public.evaluate("window.scrollTo(0, 200); window.notReloaded = true")

    organiser = login_organiser(browser, running.url)
    organiser.goto(f"{running.url}/saisie/handball-men")
    organiser.locator("label[for='r1-imt-mines-ales']").click()
    organiser.locator("label[for='r2-mines-nancy']").click()
    organiser.locator("label[for='r3-imt-mines-albi']").click()
    organiser.locator("button[value='provisional']").click()
    organiser.wait_for_url("**/saisie/handball-men/saved/1")

    # the public page shows it within the polling interval, without a reload, where it was scrolled
    # (a locator, not wait_for_function: the page's Content-Security-Policy forbids eval, and live.js runs under it)
    public.locator("#live h2", has_text="Derniers résultats").wait_for(timeout=10_000)
    places = [" ".join(t.split()) for t in handball.locator(".places li").all_inner_texts()]
    assert places == ["1 IMT Mines Alès", "2 Mines Nancy", "3 IMT Mines Albi"]
    assert "provisoire" in handball.inner_text()
    assert public.evaluate("window.notReloaded") is True
    assert public.evaluate("window.scrollY") == 200
    ranking = public.locator("table.ranking tbody tr").first.inner_text()
    assert "IMT Mines Alès" in ranking and "10" in ranking
    assert public.locator("[data-ago]").inner_text().startswith("mis à jour il y a")
    assert public.locator("[data-lost]").is_hidden()
    public.screenshot(path=str(screenshot_dir(tmp_path) / "live-edition.png"), full_page=False)

    running.stop()
    public.locator("[data-lost]").wait_for(state="visible", timeout=10_000)
    assert "Connexion perdue" in public.locator("[data-lost]").inner_text()
    public.evaluate("window.scrollTo(0, 0)")
    public.screenshot(path=str(screenshot_dir(tmp_path) / "live-lost.png"), full_page=False)
