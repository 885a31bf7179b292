"""An administrator prepares the next edition in a real Chromium, from the home page to a live edition
with its entry links printed: 12 schools, 15 disciplines, every interaction counted (goal: 25 at most)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from cartel.extensions import db
from cartel.words.typography import french
from tests.helpers import browser_app, serving, sign_in

SCHOOLS = [
    ("imt-mines-ales", "IMT Mines Alès"),
    ("imt-mines-albi", "IMT Mines Albi"),
    ("imt-atlantique", "IMT Atlantique"),
    ("imt-nord-europe", "IMT Nord Europe"),
    ("mines-paris", "Mines Paris - PSL"),
    ("mines-nancy", "Mines Nancy"),
    ("mines-saint-etienne", "Mines Saint-Étienne"),
    ("telecom-paris", "Télécom Paris"),
    ("telecom-sudparis", "Télécom SudParis"),
    ("imt-bs", "Institut Mines-Télécom Business School"),
    ("mines-douai", "École des Mines de Douai"),
    ("eurecom", "EURECOM"),
]
DISCIPLINES = [
    ("football", "men"),
    ("football", "women"),
    ("handball", "men"),
    ("handball", "women"),
    ("basketball", "men"),
    ("basketball", "women"),
    ("volleyball", "men"),
    ("volleyball", "women"),
    ("rugby", "men"),
    ("rugby", "women"),
    ("badminton", "open"),
    ("swimming", "open"),
    ("athletics", "open"),
    ("climbing", "open"),
    ("dj-contest", "open"),
]


@pytest.fixture
def catalogue_server(template_database, tmp_path):
    """The app with a catalogue of 12 schools and 15 disciplines, the previous edition (2026, finished,
    with its programme and scheme), an administrator, and no live edition."""
    app = browser_app(template_database, tmp_path)
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
        from cartel.models.sport import SportKind

        schools = [School(slug=slug, name=name, short_name=name[:12], country="FR") for slug, name in SCHOOLS]
        sports = {}
        disciplines = []
        for sport, category in DISCIPLINES:
            if sport not in sports:
                kind = SportKind.CONTEST if sport == "dj-contest" else SportKind.SPORT
                sports[sport] = Sport(slug=sport, name_fr=sport.title(), name_en=sport.title(), kind=kind)
            slug = sport if category == "open" else f"{sport}-{category}"
            disciplines.append(Discipline(slug=slug, sport=sports[sport], category=Category(category)))
        previous = Edition(year=2026, number=51, status=EditionStatus.FINISHED, host=schools[0])
        previous.participations = [Participation(school=s) for s in schools[:10]]
        previous.programme = [ProgrammeEntry(discipline=d, version=0) for d in disciplines]
        previous.scheme = PointsScheme(place_points=[10, 8, 6, 5, 4, 3, 2, 1], tie_rule="shared", tie_breaks=[1, 2, 3])
        admin = User(email="admin@example.org", role=Role.ADMIN)
        admin.set_password("correct horse battery")
        db.session.add_all([*schools, previous, admin])
        db.session.commit()
        db.session.remove()
    yield from serving(app)


class Interactions:
    """Every click, field filled and option chosen by the administrator, counted and written down."""

    def __init__(self, page):
        self.page, self.steps = page, []

    def click(self, locator, why: str) -> None:
        self.steps.append(f"click {why}")
        locator.click()

    def fill(self, locator, value: str, why: str) -> None:
        self.steps.append(f"type {why}")
        locator.fill(value)

    def choose(self, locator, label: str, why: str) -> None:
        self.steps.append(f"choose {why}")
        locator.select_option(label=label)


def test_an_administrator_prepares_and_opens_an_edition_in_at_most_25_interactions(
    catalogue_server,
    browser,
    tmp_path,
    screenshot_dir,
):
    server = catalogue_server.url
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="fr-FR")
    context.add_init_script("window.print = () => { window.__printed = (window.__printed || 0) + 1; };")
    page = context.new_page()
    page.goto(f"{server}/")
    act = Interactions(page)

    act.click(page.get_by_role("link", name="Se connecter"), "Log in (header)")
    act.fill(page.get_by_label("E-mail"), "admin@example.org", "e-mail")
    act.fill(page.get_by_label("Mot de passe"), "correct horse battery", "password")
    act.click(page.get_by_role("button", name="Se connecter"), "Se connecter")
    act.click(page.get_by_role("link", name="Admin", exact=True), "Admin (header)")
    act.click(page.get_by_role("link", name="Nouvelle édition"), "New edition")

    # 1. details
    act.fill(page.get_by_label("Année"), "2027", "year")
    act.fill(page.get_by_label("Numéro"), "52", "number")
    act.choose(page.get_by_label("École organisatrice"), "Mines Nancy", "host")
    act.fill(page.get_by_label("Premier jour"), "2027-04-15", "first day")
    act.fill(page.get_by_label("Dernier jour"), "2027-04-17", "last day")
    act.click(page.get_by_role("button", name="Enregistrer"), "save the details")
    page.wait_for_url("**/admin/editions/2027/participants")
    assert french("Édition 2027 créée. Étape suivante : les écoles participantes.") in page.inner_text("main")

    # 2. participants: the twelve schools in one tick
    act.click(page.get_by_role("button", name="Cocher toutes les écoles"), "tick every school")
    act.click(page.get_by_role("button", name="Enregistrer et passer au programme"), "save the participants")
    page.wait_for_url("**/admin/editions/2027/programme")
    assert french("Participants enregistrés : 12 écoles.") in page.inner_text("main")

    # 3. programme: the previous edition's, checked then saved
    act.click(page.get_by_role("button", name="Partir du programme de 2026"), "start from 2026's programme")
    act.click(page.get_by_role("button", name="Enregistrer et passer au barème"), "save the programme")
    page.wait_for_url("**/admin/editions/2027/scheme")
    assert french("Programme enregistré : 15 disciplines.") in page.inner_text("main")

    # 4. points scheme: 2026's proposed
    assert page.get_by_label("Points par place, en commençant par la 1re").input_value() == "10 8 6 5 4 3 2 1"
    act.click(page.get_by_role("button", name="Enregistrer et passer aux liens de saisie"), "save the scheme")
    page.wait_for_url("**/admin/editions/2027/organisers")

    # 5. entry links for the whole programme (chosen, and seen to be, while the edition has none), printed
    whole = page.get_by_label("Tout le programme de l'édition")
    assert whole.is_checked()
    for box in (whole, page.locator("input[name='disciplines']").first):
        looks = box.evaluate("b => [getComputedStyle(b).opacity, b.getBoundingClientRect().width]")
        assert looks[0] == "1" and looks[1] >= 20, looks
    act.click(page.get_by_role("button", name="Créer les liens et imprimer"), "issue the links")
    page.wait_for_load_state()
    assert page.locator("section.sheet").count() == 15
    # printed months ahead (the edition is in April 2027), they open with the edition and last to its end
    assert "Valable du 14/04/2027" in page.locator("section.sheet").first.inner_text()
    act.click(page.get_by_role("button", name="Imprimer"), "print")
    assert page.evaluate("window.__printed") == 1
    act.click(page.get_by_role("link", name="Retour à la préparation du Cartel 2027"), "back to the set-up")

    # 6. open
    page.wait_for_url("**/admin/editions/2027#open")
    if screenshot_dir != tmp_path:
        page.screenshot(path=str(screenshot_dir / "setup.png"), full_page=True)
    act.click(page.get_by_role("button", name="Ouvrir l'édition…"), "open the edition")
    assert "ne peut pas être défait" in page.inner_text("main")  # what opening does, asked once
    act.click(page.get_by_role("button", name="Oui, ouvrir l'édition"), "confirm the opening")
    page.wait_for_url("**/admin/editions/2027")
    assert french("L'édition est maintenant : en cours.") in page.inner_text("main")

    print(f"\n{len(act.steps)} interactions:\n  " + "\n  ".join(act.steps))
    assert len(act.steps) <= 25, act.steps
    page.goto(f"{server}/")
    assert "Cartel 2027" in page.inner_text("main")
    context.close()


def test_every_set_up_page_fits_a_360_px_phone(catalogue_server, browser):
    """Also with a link label of 120 characters and no space (its audit entry included)."""
    server = catalogue_server.url
    with catalogue_server.app.app_context():
        from cartel.models import Edition, EditionStatus, ProgrammeEntry
        from cartel.write.accounts import issue_links
        from cartel.write.audit import Actor

        previous = db.session.scalar(sa.select(Edition).filter_by(year=2026))
        edition = Edition(year=2027, status=EditionStatus.PLANNED)
        edition.programme = [ProgrammeEntry(discipline=e.discipline, version=0) for e in previous.programme[:2]]
        db.session.add(edition)
        db.session.commit()
        issue_links(edition, [e.discipline for e in edition.programme], "x" * 120, 24, Actor())
        db.session.remove()
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="fr-FR")
    page = context.new_page()
    sign_in(page, server, "admin@example.org")
    for step in ("", "/details", "/participants", "/programme", "/scheme", "/organisers"):
        page.goto(f"{server}/admin/editions/2026{step}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, step
        for button in page.locator("main button, main input[type=submit]").all():  # every label whole
            assert button.evaluate("b => b.scrollWidth <= b.clientWidth"), button.evaluate("b => b.outerHTML")
        # on a step page the steps take little room: the step's own form starts on the first screen
        if step:
            assert page.locator("main form").first.bounding_box()["y"] < 740, step
    for url in ("/admin/editions/2027/organisers", "/admin/links", "/admin/audit"):
        page.goto(f"{server}{url}")
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, url
    context.close()


def test_ticking_every_discipline_then_unticking_some_leaves_them_out(catalogue_server, browser):
    """The trap of a walkthrough: "every discipline" ticked, then rows unticked to leave them out, and the
    save kept all of them. Now the button ticks the rows in the page (no request), and the rows decide."""
    server, app = catalogue_server.url, catalogue_server.app
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    sign_in(page, server, "admin@example.org")
    page.goto(f"{server}/admin/editions/new")
    page.get_by_label("Année").fill("2027")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url("**/participants")
    page.goto(f"{server}/admin/editions/2027/programme")
    boxes = page.locator("input[name^='discipline-']")
    requests = []
    page.on("request", lambda r: requests.append(r.url) if r.method == "POST" else None)
    page.get_by_role("button", name="Cocher toutes les disciplines").click()
    assert requests == [] and boxes.count() == 15
    assert all(boxes.nth(k).is_checked() for k in range(15))
    # each box is at least 24 px, with its name beside it on the same line
    box, label = boxes.first.bounding_box(), page.locator("label.check").first.bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24 and label["height"] < 2 * 44, (box, label)
    for slug in ("dj-contest", "climbing"):
        page.locator(f"#discipline-{slug}").uncheck()
    page.get_by_role("button", name="Enregistrer et passer au barème").click()
    page.wait_for_url("**/admin/editions/2027/scheme")
    assert french("Programme enregistré : 13 disciplines.") in page.inner_text("main")
    with app.app_context():
        from cartel.models import Edition

        edition = db.session.scalar(sa.select(Edition).where(Edition.year == 2027))
        saved = {e.discipline.slug for e in edition.programme}
        assert len(saved) == 13 and not saved & {"dj-contest", "climbing"}
        db.session.remove()
    context.close()
