"""Courtside entry on a phone, as the server answers it: a revoked link's save says so (410) instead of
leading to the login page, the error summary of a form shown again, the highlighted button first (the
one Enter presses), the compact header and the outbox's words on entry pages, and the service worker
served from the entry pages' own path. What the browser does with them: tests/browser/test_offline_browser.py."""

import datetime as dt
import json
import re
from html import unescape

import sqlalchemy as sa

from cartel.extensions import db
from cartel.models import EntryLink
from cartel.words.typography import french
from tests.helpers import asset, login, places, podium_form, text


def link_holder(app, admin, discipline_slug="handball-men"):
    """A client that opened a new entry link for ``discipline_slug``, and the link."""
    response = admin.post("/admin/links", data={"disciplines": [discipline_slug], "label": "Gymnase", "hours": 24})
    path = re.search(r'class="url">http://localhost(/e/[\w-]+)<', response.get_data(as_text=True)).group(1)
    holder = app.test_client()
    assert holder.get(path).status_code == 302
    return holder, db.session.scalars(sa.select(EntryLink).order_by(EntryLink.id.desc())).first()


def test_a_revoked_links_save_says_so_and_what_to_do(admin, app, live):
    holder, link = link_holder(app, admin)
    assert admin.post(f"/admin/links/{link.id}/revoke").status_code == 303
    response = holder.post("/saisie/handball-men", data=podium_form("ales", "albi"))
    assert response.status_code == 410  # not the login page: a link holder has no account
    page = text(response)
    assert "Le lien de saisie ouvert sur ce téléphone a été révoqué ou a expiré : rien n'a été enregistré." in page
    assert "Demandez un nouveau lien aux organisateurs" in page
    assert places(live, live.hb) == []
    assert holder.get("/saisie/handball-men").status_code == 410  # the form says it too


def test_an_expired_links_save_says_so(admin, app, live):
    holder, link = link_holder(app, admin)
    link.expires_at = dt.datetime(2000, 1, 1)
    db.session.commit()
    response = holder.post("/saisie/handball-men", data=podium_form("ales"))
    assert response.status_code == 410 and "a expiré" in text(response)
    assert places(live, live.hb) == []


def test_a_new_link_sends_what_the_revoked_one_could_not(admin, app, live):
    """The outbox on the phone keeps the result and sends it again, same submission id, once a new
    link is opened in the same browser."""
    holder, link = link_holder(app, admin)
    assert admin.post(f"/admin/links/{link.id}/revoke").status_code == 303
    data = podium_form("ales", "albi", submission_id="kept-on-the-phone")
    assert holder.post("/saisie/handball-men", data=data).status_code == 410
    response = admin.post("/admin/links", data={"disciplines": ["handball-men"], "label": "Gymnase", "hours": 24})
    path = re.search(r'class="url">http://localhost(/e/[\w-]+)<', response.get_data(as_text=True)).group(1)
    assert holder.get(path).status_code == 302
    response = holder.post("/saisie/handball-men", data=data)
    assert response.status_code == 303 and response.headers["Location"].endswith("/saisie/handball-men/saved/1")
    assert places(live, live.hb) == [(1, ("ales",)), (2, ("albi",))]


def test_without_a_session_a_save_still_leads_to_the_login_page(client, live):
    response = client.post("/saisie/handball-men", data=podium_form("ales"))
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_a_mistake_shows_an_error_summary_linking_to_each_place_in_error(organiser, live):
    response = organiser.post("/saisie/handball-men", data=podium_form("ales", "ales", "nancy", "ales"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    summary = re.search(r'<div class="error-summary"[^>]*>.*?</div>', html, re.S)
    assert summary is not None
    opening = summary.group(0).split(">", 1)[0]
    for attribute in ['role="alert"', 'tabindex="-1"', "autofocus", 'aria-labelledby="error-summary-title"']:
        assert attribute in opening
    # above the form, and first of what the page says in its main part after the heading
    assert html.index('class="error-summary"') < html.index('<form method="post" action="/saisie/handball-men"')
    links = re.findall(r'<li><a href="#([^"]+)">([^<]+)</a></li>', summary.group(0))
    assert [(target, unescape(words)) for target, words in links] == [
        ("row-2", french("Place 2 : IMT Mines Alès est déjà placé (place 1).")),
        ("row-4", french("Place 4 : IMT Mines Alès est déjà placé (place 1).")),
    ]
    for target, _words in links:
        assert f'<fieldset class="row" id="{target}"' in html  # each link leads to a field of the form
    # the place in error says it too, read with its fieldset; only the summary is an alert
    assert 'aria-describedby="row-2-error"' in html and 'id="row-2-error"' in html
    assert html.count('role="alert"') == 1


def test_a_problem_of_the_whole_result_is_in_the_summary_too(organiser, live):
    response = organiser.post("/saisie/handball-men", data=podium_form())
    summary = re.search(r'<div class="error-summary".*?</div>', response.get_data(as_text=True), re.S).group(0)
    assert '<a href="#row-1">Choisissez au moins le vainqueur.</a>' in unescape(summary)


def test_a_form_without_mistakes_has_no_error_summary(organiser, live):
    assert "error-summary" not in organiser.get("/saisie/handball-men").get_data(as_text=True)


def test_the_highlighted_button_comes_first_so_that_enter_presses_it(organiser, live):
    html = organiser.get("/saisie/handball-men").get_data(as_text=True)
    form = html.split('<form method="post" action="/saisie/handball-men"', 1)[1].split("</form>", 1)[0]
    buttons = re.findall(r'<button type="submit"[^>]*>', form)
    assert len(buttons) == 2
    assert 'value="final"' in buttons[0] and 'class="primary"' in buttons[0]  # the default button
    assert 'value="provisional"' in buttons[1] and "primary" not in buttons[1]


def test_entry_pages_have_a_compact_header_and_the_outbox(organiser, live):
    html = organiser.get("/saisie/handball-men").get_data(as_text=True)
    assert '<header class="top compact">' in html and '<details class="menu">' in html
    assert "orga@example.org" in html  # the account, under the menu on a phone
    outbox = re.search(r"<div class=\"outbox\" id=\"outbox\"[^>]*>", html, re.S).group(0)
    assert 'role="status"' in outbox and 'data-owner="user:' in outbox
    assert 'data-worker="/saisie/sw.js"' in outbox and 'data-scope="/saisie/"' in outbox
    assert "Pas encore envoyé — sera envoyé dès que la connexion revient." in unescape(outbox)
    assert "Résultat envoyé." in unescape(outbox)
    english = organiser.get("/saisie/handball-men?lang=en").get_data(as_text=True)
    assert "Not sent yet — it will be sent as soon as the connection is back." in unescape(english)
    # the form says which result it keeps
    assert 'data-outbox="handball-men"' in html and 'data-label="Handball masculin"' in html
    public = organiser.get("/editions/2026").get_data(as_text=True)
    assert "compact" not in public and "data-outbox" not in public and "outbox.js" not in public


def test_the_outbox_belongs_to_who_enters(admin, app, live):
    holder, _link = link_holder(app, admin)
    assert 'data-owner="link"' in holder.get("/saisie/handball-men").get_data(as_text=True)
    assert re.search(r'data-owner="user:\d+"', admin.get("/saisie/").get_data(as_text=True))


def test_the_service_worker_is_served_from_the_entry_pages_path(client, live):
    response = client.get("/saisie/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    script = response.get_data(as_text=True)
    settings = json.loads(re.search(r"var SETTINGS = (\{.*?\});", script).group(1))
    assert settings["assets"] == [asset("css/cartel.css"), asset("js/entry.js"), asset("js/outbox.js")]
    assert settings["offline"] == "/saisie/offline" and settings["version"]
    for address in settings["assets"]:
        with client.get(address) as kept:
            assert kept.status_code == 200
    again = client.get("/saisie/sw.js", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_the_offline_page_says_what_happens_to_results(client, live):
    response = client.get("/saisie/offline")
    assert response.status_code == 200
    page = text(response)
    assert "Pas de connexion" in page and "gardés sur ce téléphone" in page


def test_an_organiser_logged_in_again_sends_the_kept_result(client, make_user, live):
    make_user("orga@example.org")
    data = podium_form("ales", "albi", submission_id="kept")
    assert client.post("/saisie/handball-men", data=data).headers["Location"].startswith("/login")
    login(client, "orga@example.org")
    assert client.post("/saisie/handball-men", data=data).status_code == 303
    assert places(live, live.hb) == [(1, ("ales",)), (2, ("albi",))]
