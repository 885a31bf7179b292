"""A real Chromium (Debian's, driven by Playwright) on a phone-sized screen against a live server."""

from cartel.words.typography import french
from tests.helpers import TapCounter, login_organiser


def test_organiser_records_a_podium_with_a_shared_third_place_on_a_phone(server, browser, screenshot_dir):
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
    assert french("Enregistré : résultat définitif.") in page.inner_text("main")

    # A podium with a shared 3rd place.
    page.goto(f"{server}/saisie/handball-men")
    page.locator("label[for='r1-imt-mines-ales']").click()
    page.locator("label[for='r2-mines-nancy']").click()
    page.locator("label[for='r3-imt-mines-albi']").click()
    page.locator("label[for='r4-imt-nord-europe']").click()  # the 4th row shows: no section to open
    page.locator("#row-4").get_by_label("Ex aequo avec la place au-dessus").check()
    page.screenshot(path=str(screenshot_dir / "entry-form.png"), full_page=False)
    page.locator("button[value='final']").click()
    page.wait_for_url("**/saisie/handball-men/saved/1")
    saved = " ".join(page.inner_text("main").split())
    assert "3 IMT Mines Albi +4 3 IMT Nord Europe +4" in saved
    page.screenshot(path=str(screenshot_dir / "entry-saved.png"), full_page=False)

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


def test_public_page_updates_itself_and_shows_when_the_server_is_gone(running, browser, screenshot_dir):
    public = browser.new_page(viewport={"width": 390, "height": 600})
    public.goto(f"{running.url}/editions/2026")
    handball = public.locator(".podiums > li", has_text="Handball masculin")
    assert "à venir" in handball.inner_text()
    public.evaluate("window.scrollTo(0, 200); window.notReloaded = true")
    scrolled = public.evaluate("window.scrollY")  # as far as the page goes (no ranking before the first result)
    assert scrolled > 50

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
    assert public.evaluate("window.scrollY") == scrolled
    ranking = public.locator("table.ranking tbody tr").first.inner_text()
    assert "IMT Mines Alès" in ranking and "10" in ranking
    assert public.locator("[data-ago]").inner_text().startswith("mis à jour il y a")
    assert public.locator("[data-lost]").is_hidden()
    public.screenshot(path=str(screenshot_dir / "live-edition.png"), full_page=False)

    running.stop()
    public.locator("[data-lost]").wait_for(state="visible", timeout=10_000)
    assert "Connexion perdue" in public.locator("[data-lost]").inner_text()
    public.evaluate("window.scrollTo(0, 0)")
    public.screenshot(path=str(screenshot_dir / "live-lost.png"), full_page=False)


def test_what_changed_since_the_student_looked_is_marked_for_a_few_seconds(server, browser):
    """Rows used to just move: now a rank that rose says "↑1" and the rows that changed light up, then
    the marks go; with reduced motion they light up without the animation. A link jumps to the latest results."""
    organiser = login_organiser(browser, server)

    def podium(slug, *schools):
        organiser.goto(f"{server}/saisie/{slug}")
        for place, school in enumerate(schools, start=1):
            organiser.locator(f"label[for='r{place}-{school}']").click()
        organiser.locator("button[value='final']").click()
        organiser.wait_for_url(f"**/saisie/{slug}/saved/*")

    podium("handball-men", "imt-mines-ales", "mines-nancy", "imt-mines-albi")
    public = browser.new_page(viewport={"width": 360, "height": 740})
    public.goto(f"{server}/editions/2026")
    assert public.locator("tr[data-school='mines-nancy'] td").first.inner_text().strip() == "2"
    assert public.locator("a[href='#h-latest']").count() == 1  # the latest results, one tap away on a phone
    assert public.locator("tr.changed, tr.moved-up, tr.moved-down").count() == 0  # nothing marked at first

    podium("rugby-women", "mines-nancy", "imt-mines-albi", "mines-saint-etienne")
    nancy = public.locator("tr[data-school='mines-nancy']")
    public.locator("tr.moved-up[data-school='mines-nancy']").wait_for(timeout=10_000)
    assert nancy.locator(".delta").inner_text() == "↑1" and "1" in nancy.locator("td").first.inner_text()
    assert "changed" in (nancy.get_attribute("class") or "")
    assert public.locator("tr[data-school='imt-mines-ales'] .delta").inner_text() == "↓1"
    animated = "r => getComputedStyle(r.children[1]).animationName"
    assert nancy.evaluate(animated) == "cartel-changed"
    public.emulate_media(reduced_motion="reduce")
    assert nancy.evaluate(animated) == "none"  # highlighted, not animated
    assert nancy.evaluate("r => getComputedStyle(r.children[1]).backgroundColor") != "rgba(0, 0, 0, 0)"
    public.locator("tr[data-school='mines-nancy'] .delta").wait_for(state="detached", timeout=15_000)
    assert public.locator("tr.changed, tr.moved-up, tr.moved-down").count() == 0  # then the marks go
    organiser.context.close()
    public.close()
