"""A real Chromium (Debian's, driven by Playwright) against the app served on 127.0.0.1.

Every test under tests/browser/ is marked ``browser`` (the PostgreSQL run deselects them with
``-m "not browser"``) and skipped on PostgreSQL: the browser tests run once, on SQLite. The plain helpers
they share (browser_app, serving, login_organiser, TapCounter) are in tests/helpers.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cartel.extensions import db
from tests.helpers import PASSWORD, POSTGRES_URL, browser_app, serving

HERE = Path(__file__).parent
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


@pytest.hookimpl(tryfirst=True)  # before -m selects or deselects by marker
def pytest_collection_modifyitems(items):
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.skipif(POSTGRES_URL is not None, reason="browser tests run once, on SQLite"))


@pytest.fixture
def server_settings() -> dict:
    """Settings of the ``running`` app besides the browser ones; a test parametrizes it to change them."""
    return {}


@pytest.fixture
def running(template_database, tmp_path, server_settings):
    """The app on a free port of 127.0.0.1, CSRF on, with a live edition and an organiser; live
    pages poll every second. ``stop()`` takes the server down (connections refused)."""
    app = browser_app(template_database, tmp_path, **{"CARTEL_POLL_SECONDS": 1, **server_settings})
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
        user.set_password(PASSWORD)
        db.session.add_all([*schools, edition, user])
        db.session.commit()
        db.session.remove()
    yield from serving(app)


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


@pytest.fixture
def screenshot_dir(tmp_path) -> Path:
    """Where the tests put their screenshots: CARTEL_SCREENSHOT_DIR (docs/ to refresh the README's), else
    the test's own temporary directory."""
    return Path(os.environ.get("CARTEL_SCREENSHOT_DIR") or tmp_path)
