"""Entry without friction, in a real Chromium on a phone-sized screen: taps counted for a shared 3rd
place, the saving state at 3 s of latency, the joint-team picker, and the entry-link sheet printed
four codes to an A4 page."""

from __future__ import annotations

import json
import re
import time

import pytest
import sqlalchemy as sa

from cartel import create_app
from cartel.extensions import db
from cartel.words.typography import french
from tests.helpers import TapCounter, config_for, login_organiser, sign_in


def test_a_shared_third_place_takes_five_taps_then_save(server, browser):
    page = login_organiser(browser, server)
    page.get_by_role("link", name="Handball masculin").click()
    page.wait_for_url("**/saisie/handball-men")

    taps = TapCounter(page)
    taps.tap("label[for='r1-imt-mines-ales']")
    taps.tap("label[for='r2-mines-nancy']")
    taps.tap("label[for='r3-imt-mines-albi']")
    taps.tap("label[for='r4-imt-nord-europe']")
    taps.tap("#row-4 label.tie")  # "ex aequo", next to "Place 4": no folded section to open first
    assert taps.count == 5  # the budget for a shared 3rd place, the save tap aside
    assert page.locator("input[name='row-4-tied']").is_checked()
    taps.tap("button[value='final']")
    page.wait_for_url("**/saisie/handball-men/saved/1")
    assert taps.count == 6  # with the save tap
    saved = " ".join(page.inner_text("main").split())
    assert "Enregistré : résultat définitif." in saved  # spaces made plain by the join above
    assert "3 IMT Mines Albi +4 3 IMT Nord Europe +4" in saved
    # "Next discipline" leads on to the discipline still waiting for its result
    page.locator("a[data-next]").click()
    page.wait_for_url("**/saisie/rugby-women")
    page.context.close()


def test_the_joint_team_picker_hides_the_rows_own_school_as_it_changes(server, browser):
    page = login_organiser(browser, server)
    page.goto(f"{server}/saisie/rugby-women")
    page.locator("#row-1 summary").click()  # "Joint team: add a school"
    assert page.locator("label[for='p1-imt-mines-ales']").is_visible()
    page.locator("label[for='r1-imt-mines-ales']").click()
    assert page.locator("label[for='p1-imt-mines-ales']").is_hidden()
    page.locator("label[for='p1-imt-mines-albi']").click()  # a joint team Alès + Albi
    page.locator("label[for='r1-imt-mines-albi']").click()  # changed mind: Albi leads the row
    assert page.locator("label[for='p1-imt-mines-albi']").is_hidden()
    assert not page.locator("#p1-imt-mines-albi").is_checked()  # a school is never its own partner
    assert page.locator("label[for='p1-imt-mines-ales']").is_visible()
    page.context.close()


def test_a_podium_at_3_s_of_latency_shows_the_saving_state(server, browser):
    page = login_organiser(browser, server)
    page.goto(f"{server}/saisie/rugby-women")
    page.locator("label[for='r1-imt-mines-ales']").click()
    page.locator("label[for='r2-mines-nancy']").click()
    page.locator("label[for='r3-imt-mines-albi']").click()
    network = page.context.new_cdp_session(page)
    network.send("Network.enable")
    network.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 3000, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    # The page itself notes when the saving state shows and what it shows as it is left for the answer
    # (sessionStorage outlives the navigation; Playwright's own queries would wait for the navigation).
    page.evaluate(
        """() => {
        const status = document.querySelector("[data-saving-status]");
        const state = () => {
            const button = document.querySelector("button[value='final']");
            const buttons = [...document.querySelectorAll("form.entry button")];
            return {at: Date.now(), status: status.textContent, shown: getComputedStyle(status).display !== "none",
                    button: button.textContent, disabled: buttons.map(b => b.disabled)};
        };
        const first = () => sessionStorage.getItem("shown") || sessionStorage.setItem("shown", JSON.stringify(state()));
        new MutationObserver(first)
            .observe(status, {childList: true, characterData: true, subtree: true});
        addEventListener("pagehide", () => sessionStorage.setItem("left", JSON.stringify(state())));
        sessionStorage.setItem("tapped", JSON.stringify(Date.now()));
    }"""
    )
    started = time.monotonic()
    page.locator("button[value='final']").click(no_wait_after=True)
    page.wait_for_url("**/saisie/rugby-women/saved/1", timeout=20_000)
    assert time.monotonic() - started >= 6  # the save and the page after it: 3 s each
    tapped, shown, left = (
        json.loads(page.evaluate(f"sessionStorage.getItem('{key}')")) for key in ("tapped", "shown", "left")
    )
    saving = {"status": "Enregistrement…", "shown": True, "button": "Enregistrement…", "disabled": [True, True]}
    assert {k: v for k, v in shown.items() if k != "at"} == saving
    assert shown["at"] - tapped < 1000  # at once (the answer takes 3 s)
    assert {k: v for k, v in left.items() if k != "at"} == saving
    assert left["at"] - tapped >= 5_900  # and all along, until the answer replaced the page
    # the pressed button was disabled, yet its state went along: saved as final
    assert french("Enregistré : résultat définitif.") in page.inner_text("main")
    page.context.close()


def test_without_javascript_the_form_saves_as_any_form(server, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    sign_in(page, server, "orga@example.org")
    page.goto(f"{server}/saisie/rugby-women")
    page.locator("label[for='r1-mines-nancy']").click()
    page.locator("label[for='r2-imt-mines-ales']").click()
    page.locator("button[value='provisional']").click()
    page.wait_for_url("**/saisie/rugby-women/saved/1")
    assert french("Enregistré : résultat provisoire.") in page.inner_text("main")
    context.close()


@pytest.fixture
def admin_and_five_disciplines(running, tmp_path):
    """The running app's database (the running fixture) gets an administrator and three more
    disciplines in the programme: five codes to print."""
    from cartel.models import Category, Discipline, Edition, ProgrammeEntry, Role, Sport, User

    config = {**config_for(f"sqlite:///{tmp_path / 'browser.sqlite3'}")}
    config.pop("SERVER_NAME")
    app = create_app(config)
    with app.app_context():
        edition = db.session.scalars(sa.select(Edition)).one()
        for slug, name in [("volleyball", "Volley-ball"), ("football", "Football"), ("spikeball", "Spikeball")]:
            sport = Sport(slug=slug, name_fr=name, name_en=name)
            edition.programme.append(
                ProgrammeEntry(discipline=Discipline(slug=f"{slug}-open", sport=sport, category=Category.OPEN))
            )
        user = User(email="admin@example.org", role=Role.ADMIN)
        user.set_password("correct horse battery")
        db.session.add(user)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return running.url


def entry_links_by_page(pdf: bytes) -> list[list[str]]:
    """The entry links printed on each page of a PDF, read from its link annotations (Chromium writes
    them as plain objects: the page tree's /Kids in order, each page's /Annots, each one's /URI)."""
    objects = {int(m[1]): m[2] for m in re.finditer(rb"(\d+) 0 obj\s*(.*?)endobj", pdf, re.S)}

    def refs(body: bytes, key: bytes) -> list[int]:
        found = re.search(rb"/" + key + rb"\s*\[([^\]]*)\]", body)
        return [int(n) for n in re.findall(rb"(\d+) 0 R", found[1])] if found else []

    tree = next(body for body in objects.values() if re.search(rb"/Type\s*/Pages\b", body))
    return [
        [re.search(rb"/URI\s*\(([^)]*)\)", objects[a])[1].decode() for a in refs(objects[page], b"Annots")]
        for page in refs(tree, b"Kids")
    ]


def test_the_link_sheet_prints_four_codes_to_an_a4_page(admin_and_five_disciplines, browser):
    url = admin_and_five_disciplines
    page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="fr-FR")
    sign_in(page, url, "admin@example.org")
    page.wait_for_url(f"{url}/saisie/")
    page.goto(f"{url}/admin/links")
    boxes = page.locator("fieldset.choices input[type=checkbox]")
    assert boxes.count() == 5
    for k in range(5):  # several disciplines at once, as checkboxes with their names
        boxes.nth(k).check()
    page.get_by_role("button", name=re.compile("imprimer", re.I)).click()
    page.locator(".sheet").first.wait_for()
    assert page.locator(".sheet").count() == 5
    assert "heure de Paris" in page.locator(".sheet").first.inner_text()

    # a function, else Playwright calls the assigned function at once
    page.evaluate("() => { window.print = () => { window.printed = true; }; }")  # no dialog in a test
    page.get_by_role("button", name="Imprimer").click()
    assert page.evaluate("window.printed") is True

    printed = entry_links_by_page(page.pdf(format="A4", prefer_css_page_size=True))
    shown = [a.get_attribute("href") for a in page.locator(".sheet a.url").all()]
    assert printed == [shown[:4], shown[4:]]  # four codes on the first A4 page, the fifth on the second
    names = page.locator(".sheet h1").all_inner_texts()
    assert names == ["Football", "Handball masculin", "Rugby féminin", "Spikeball", "Volley-ball"]
    page.emulate_media(media="print")
    heading = page.locator(".sheet h1").first
    assert (
        float(heading.evaluate("h => parseFloat(getComputedStyle(h).fontSize)")) >= 34
    )  # 26 pt (34.7 px): the name large
    first, fourth = (page.locator(".sheet").nth(k).bounding_box() for k in (0, 3))
    assert first["x"] < fourth["x"] and first["y"] < fourth["y"]  # 2 x 2: the fourth is lower right
    page.close()


def test_a_restored_draft_says_so_and_can_be_dropped(server, browser):
    """What was ticked and left unsaved comes back when the form is opened again in the tab (a reload,
    a failed submission), never silently: a notice says it is not saved and offers the saved result."""
    page = login_organiser(browser, server)
    page.goto(f"{server}/saisie/rugby-women")
    notice = page.locator("[data-draft-notice]")
    assert notice.is_hidden()  # nothing to restore on a first visit
    page.locator("label[for='r1-mines-nancy']").click()
    page.goto(f"{server}/saisie/")
    page.goto(f"{server}/saisie/rugby-women")
    assert page.locator("#r1-mines-nancy").is_checked()
    assert notice.is_visible()
    assert "pas encore enregistré" in notice.inner_text()
    page.locator("[data-draft-discard]").click()
    page.wait_for_load_state()
    assert not page.locator("#r1-mines-nancy").is_checked()  # the result as saved: nothing yet
    assert page.locator("[data-draft-notice]").is_hidden()
    page.context.close()
