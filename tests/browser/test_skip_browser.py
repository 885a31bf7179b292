"""With the keyboard, the entry form is one Tab and Enter away: a skip link to its first place."""

from __future__ import annotations

from tests.helpers import login_organiser


def test_the_first_tab_offers_to_skip_to_the_form_and_the_next_lands_in_place_1(server, browser):
    page = login_organiser(browser, server)
    page.goto(f"{server}/saisie/handball-men")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#row-1"
    assert page.evaluate("document.activeElement.textContent") == "Aller au formulaire"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('#row-1') !== null")  # 3 keys, not 11 Tabs
    page.context.close()
