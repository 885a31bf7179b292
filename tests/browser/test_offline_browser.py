"""Courtside entry that survives the network, in a real Chromium on a 360 × 740 phone: a result saved
offline is kept on the phone, said not sent, and sent once when the connection is back (and says so);
a save whose answer is lost is applied once after the retry; an ended session or an expired form keeps
the result; the error summary takes the focus; the header stays small; Enter saves as final; a
session that changes address still saves. The outbox is static/js/outbox.js, the service worker
static/js/sw.js."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from cartel.extensions import db
from cartel.models import AuditEntry, Discipline, ProgrammeEntry
from cartel.words.typography import french
from tests.helpers import PASSWORD, sign_in

PHONE = {"width": 360, "height": 740}
NOT_SENT = "Pas encore envoyé — sera envoyé dès que la connexion revient."


def phone(browser, server, **options):
    """A 360 × 740 page of ``browser`` logged in as the organiser (the ``running`` fixture's)."""
    context = browser.new_context(viewport=PHONE, locale="fr-FR", has_touch=True, **options)
    page = context.new_page()
    sign_in(page, server, "orga@example.org")
    page.wait_for_url(f"{server}/saisie/")
    return page


def kept_offline(page, path: str) -> None:
    """Opens ``path`` once the service worker controls the entry pages (so that it keeps the page)."""
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.goto(path)
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.reload()  # through the worker: the copy of this page is kept on the phone
    page.wait_for_function(
        """path => caches.keys().then(names => Promise.all(names.map(n => caches.open(n).then(c => c.match(path)))))
                 .then(found => found.some(Boolean))""",
        arg=page.url,
    )


def result_of(running, slug: str) -> tuple[int, int]:
    """The discipline's version and its number of audit lines (saves, confirmations...), as stored now."""
    with running.app.app_context():
        discipline = db.session.scalar(sa.select(Discipline).filter_by(slug=slug))
        entry = db.session.scalar(sa.select(ProgrammeEntry).filter_by(discipline_id=discipline.id))
        lines = db.session.scalar(
            sa.select(sa.func.count()).select_from(AuditEntry).filter_by(discipline_id=discipline.id, entity="result")
        )
        db.session.remove()
        return entry.version, lines


def tap_podium(page) -> None:
    page.locator("label[for='r1-imt-mines-ales']").click()
    page.locator("label[for='r2-mines-nancy']").click()
    page.locator("label[for='r3-imt-mines-albi']").click()


def outbox(page) -> list:
    return json.loads(page.evaluate("localStorage.getItem('cartel-outbox') || '[]'"))


def posts_to(page, path: str) -> list:
    """The answers to the posts to ``path`` that reached the server, as they come."""
    answers: list = []

    def note(response):
        if response.request.method == "POST" and response.url.endswith(path):
            answers.append(response.status)

    page.on("response", note)
    return answers


def test_a_result_saved_offline_is_kept_said_not_sent_and_sent_once_back_online(running, browser):
    server = running.url
    page = phone(browser, server)
    kept_offline(page, f"{server}/saisie/rugby-women")
    answers = posts_to(page, "/saisie/rugby-women")
    page.context.set_offline(True)
    tap_podium(page)
    page.locator("button[value='final']").click()

    note = page.locator("[data-outbox-note]")
    note.wait_for(state="visible")
    assert note.inner_text() == NOT_SENT  # next to the save buttons
    assert NOT_SENT in page.locator("#outbox").inner_text()  # and at the top of the page
    assert page.locator("button[value='final']").is_enabled()
    assert [item["slug"] for item in outbox(page)] == ["rugby-women"]
    assert result_of(running, "rugby-women") == (0, 0)

    # offline, the page opens again from the phone, with the result as typed: never the browser's error page
    page.reload()
    assert page.locator("h1").inner_text() == "Rugby féminin"
    assert page.locator("#r1-imt-mines-ales").is_checked() and page.locator("#r2-mines-nancy").is_checked()
    assert page.locator("[data-outbox-note]").inner_text() == NOT_SENT
    assert (
        french("Pas de connexion : cette page est la copie gardée sur ce téléphone")
        in page.locator("#outbox").inner_text()
    )
    # a page never opened on the phone says where things stand
    page.goto(f"{server}/saisie/handball-men")
    assert page.locator("h1").inner_text() == "Pas de connexion"
    assert "Rugby féminin — " + NOT_SENT in page.locator("#outbox").inner_text()
    page.go_back()
    page.locator("[data-outbox-note]").wait_for(state="visible")

    page.context.set_offline(False)  # the "online" event: sent at once
    sent = page.locator("#outbox p.sent")
    sent.wait_for(timeout=10_000)
    assert sent.inner_text().startswith("Rugby féminin — Résultat envoyé.")
    assert page.locator("[data-outbox-note]").inner_text() == "Résultat envoyé."
    assert outbox(page) == []
    page.wait_for_timeout(3000)  # no try after the one that was answered
    assert answers == [303]
    assert result_of(running, "rugby-women") == (1, 1)  # one save, one audit line
    sent.get_by_role("link", name="Voir le résultat enregistré").click()
    page.wait_for_url("**/saisie/rugby-women/saved/1")
    assert french("Enregistré : résultat définitif.") in page.inner_text("main")
    page.context.close()


def test_a_save_whose_answer_is_lost_is_applied_once_after_the_retry(running, browser):
    server = running.url
    page = phone(browser, server)
    page.goto(f"{server}/saisie/rugby-women")
    reached = []

    def lose_the_first_answer(route):
        if route.request.method != "POST" or reached:
            route.continue_()
            return
        reached.append(route.fetch(max_redirects=0).status)  # the server saves it...
        route.abort("connectionreset")  # ...and its answer never arrives

    page.route("**/saisie/rugby-women", lose_the_first_answer)
    answers = posts_to(page, "/saisie/rugby-women")
    tap_podium(page)
    page.locator("button[value='final']").click()
    page.locator("[data-outbox-note]").wait_for(state="visible")
    assert reached == [303]
    assert result_of(running, "rugby-women") == (1, 1)  # saved, though the phone does not know it

    sent = page.locator("#outbox p.sent")
    sent.wait_for(timeout=15_000)  # the retry, 2 s later: the same submission id
    assert "Résultat envoyé." in sent.inner_text()
    assert sent.get_by_role("link").get_attribute("href").endswith("/saisie/rugby-women/saved/1")
    page.wait_for_timeout(3000)
    assert answers == [303]  # the retry, answered as the first one was
    assert result_of(running, "rugby-women") == (1, 1)  # applied once
    assert outbox(page) == []
    page.context.close()


def test_an_ended_session_keeps_the_result_and_sends_it_after_the_login(running, browser):
    server = running.url
    page = phone(browser, server)
    page.goto(f"{server}/saisie/rugby-women")
    tap_podium(page)
    page.context.clear_cookies()  # the session ends (logged out elsewhere, expired)
    page.locator("button[value='final']").click()
    said = page.locator("#outbox p.blocked")
    said.wait_for()
    assert french("Pas envoyé : votre session a pris fin. Reconnectez-vous, il sera alors envoyé.") in said.inner_text()
    assert result_of(running, "rugby-women") == (0, 0)
    said.get_by_role("link", name="Se connecter").click()
    page.wait_for_url("**/login?next=*")
    page.get_by_label("E-mail").fill("orga@example.org")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{server}/saisie/rugby-women")  # back to the form, where it is sent
    page.locator("#outbox p.sent").wait_for(timeout=10_000)
    assert result_of(running, "rugby-women") == (1, 1)
    assert outbox(page) == []
    page.context.close()


@pytest.mark.parametrize("server_settings", [{"WTF_CSRF_TIME_LIMIT": 3}])
def test_a_form_that_outlived_its_token_is_sent_with_a_fresh_one(running, browser):
    server = running.url
    page = phone(browser, server)
    page.goto(f"{server}/saisie/rugby-women")
    tap_podium(page)
    page.wait_for_timeout(4000)  # the form's CSRF token has expired
    page.locator("button[value='final']").click()
    page.wait_for_url("**/saisie/rugby-women/saved/1")  # sent again once, with a token from the form page
    assert french("Enregistré : résultat définitif.") in page.inner_text("main")
    assert result_of(running, "rugby-women") == (1, 1)
    page.context.close()


def test_a_mistake_on_a_phone_focuses_the_error_summary_under_a_small_header(running, browser):
    server = running.url
    page = phone(browser, server)
    page.goto(f"{server}/saisie/handball-men")
    assert page.locator("header.top").bounding_box()["height"] <= 64
    page.locator("label[for='r1-imt-mines-ales']").click()
    page.locator("label[for='r2-imt-mines-ales']").click()  # the same school at places 1 and 2
    page.locator("button[value='final']").click()
    summary = page.locator("[data-error-summary]")
    summary.wait_for()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    box = summary.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]  # in view, at once
    assert page.locator("header.top").bounding_box()["height"] <= 64
    assert french("Place 2 : IMT Mines Alès est déjà placé (place 1).") in summary.inner_text()
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.closest('fieldset').id") == "row-2"
    assert page.locator("#row-2 legend").bounding_box()["y"] >= 0
    # the menu holds the links, the account and the language
    page.locator("header .menu summary").click()
    assert page.get_by_role("button", name="Se déconnecter").is_visible()
    assert page.get_by_role("link", name="Records", exact=True).is_visible()
    header = page.locator("header.top").bounding_box()
    assert page.locator("main").bounding_box()["y"] >= header["y"] + header["height"]  # open, it pushes the page
    page.context.close()


def test_enter_in_the_form_saves_as_final(running, browser):
    server = running.url
    page = phone(browser, server)
    page.goto(f"{server}/saisie/rugby-women")
    tap_podium(page)
    page.locator("#r3-imt-mines-albi").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/saisie/rugby-women/saved/1")
    assert french("Enregistré : résultat définitif.") in page.inner_text("main")
    page.context.close()


@pytest.mark.parametrize("server_settings", [{"CARTEL_TRUSTED_PROXIES": 1}])
def test_a_session_that_changes_address_still_saves(running, browser):
    """Wi-Fi to 4G: the proxy before the app gives another client address between the page and its save.
    (No service worker here: every request of the page then carries the proxy's header.)"""
    server = running.url
    page = phone(browser, server, service_workers="block", extra_http_headers={"X-Forwarded-For": "192.0.2.10"})
    page.goto(f"{server}/saisie/rugby-women")
    tap_podium(page)
    page.context.set_extra_http_headers({"X-Forwarded-For": "203.0.113.50"})
    page.locator("button[value='final']").click()
    page.wait_for_url("**/saisie/rugby-women/saved/1")
    assert result_of(running, "rugby-women") == (1, 1)
    page.context.close()


def test_a_confirmation_tapped_offline_says_it_was_not_sent(running, browser):
    """A confirmation is not kept on the phone: offline, the page says so instead of leaving for the
    browser's error page."""
    server = running.url
    page = phone(browser, server)
    page.goto(f"{server}/saisie/rugby-women")
    tap_podium(page)
    page.locator("button[value='provisional']").click()
    page.wait_for_url("**/saisie/rugby-women/saved/1")
    page.context.set_offline(True)
    page.get_by_role("button", name="Confirmer comme définitif").click()
    status = page.locator("form[action$='/confirm'] [data-saving-status]")
    assert status.inner_text() == french(
        "Pas de connexion : rien n'a été envoyé. Réessayez quand la connexion reviendra."
    )
    assert page.url.endswith("/saisie/rugby-women/saved/1")
    assert result_of(running, "rugby-women") == (1, 1)
    page.context.close()
