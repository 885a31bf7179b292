"""The guided set-up of an edition: the overview of its steps, one short page per step, opening only
when it is complete and when no other edition is live, closing and cancelling only once confirmed."""

import datetime as dt
import html
import re
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from cartel.core.clock import utcnow
from cartel.extensions import db
from cartel.models import AuditEntry, Category, Edition, EditionStatus, EntryLink, OfficialStanding, Sport
from cartel.words.typography import french
from cartel.write import accounts
from cartel.write.audit import Actor
from tests.helpers import login, podium_form, text

OPEN = {"target": "live", "confirm": "yes"}  # opening an edition, confirmed


def edition_of(year: int) -> Edition:
    db.session.expire_all()
    return db.session.scalar(sa.select(Edition).filter_by(year=year))


def step_states(response) -> dict[str, str]:
    """Each step's name and state as the steps list says it (done, to do, optional)."""
    page = text(response)
    steps = page.split("Préparation", 1)[1]
    return {
        name: state
        for name in ("Informations", "Participants", "Programme", "Barème de points", "Ouverture")
        for state in ("fait", "à faire", "facultatif")
        if f"{state} {name}" in steps
    }


def test_a_new_edition_starts_with_its_steps_to_do(admin, live):
    response = admin.post("/admin/editions/new", data={"edition-year": "2028"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/admin/editions/2028/participants")
    overview = admin.get("/admin/editions/2028")
    assert step_states(overview) == {
        "Informations": "facultatif",
        "Participants": "à faire",
        "Programme": "à faire",
        "Barème de points": "à faire",
        "Ouverture": "à faire",
    }
    page = text(overview)
    assert "Avant de pouvoir ouvrir l'édition, définissez : les écoles participantes" in page
    assert "le programme (les disciplines disputées) le barème de points" in page


def test_each_step_saves_its_own_form_and_goes_on_to_the_next(admin, live):
    admin.post("/admin/editions/new", data={"edition-year": "2028"})
    response = admin.post(
        "/admin/editions/2028/participants",
        data={**{f"school-{s}": "y" for s in ("ales", "albi", "nancy", "douai")}, "size-ales": "310"},
    )
    assert response.headers["Location"].endswith("/admin/editions/2028/programme")
    response = admin.post(
        "/admin/editions/2028/programme",
        data={"discipline-handball-men": "y", "weight-handball-men": "2,5", "table-handball-men": "24 18 14"},
    )
    assert response.headers["Location"].endswith("/admin/editions/2028/scheme")
    # the participants typed earlier are still there: each step saves only its own part
    edition = edition_of(2028)
    assert sorted((p.school.slug, p.delegation_size) for p in edition.participations) == [
        ("albi", None),
        ("ales", 310),
        ("douai", None),
        ("nancy", None),
    ]
    assert [(e.discipline.slug, str(e.weight), e.place_points) for e in edition.programme] == [
        ("handball-men", "2.50", [24, 18, 14])
    ]
    page = text(admin.get("/admin/editions/2028/scheme"))
    assert "Proposé : le barème de 2026." in page  # the previous edition's scheme, not saved yet
    assert edition_of(2028).scheme is None
    response = admin.post(
        "/admin/editions/2028/scheme",
        data={"scheme-place_points": "10 6 4 2", "scheme-tie_rule": "shared", "scheme-tie_breaks": "1 2 3"},
    )
    assert response.headers["Location"].endswith("/admin/editions/2028/organisers")
    page = text(admin.get("/admin/editions/2028/organisers"))
    assert "Barème enregistré." in page.split("Préparation du Cartel 2028")[0]  # said at the top, where the user is
    assert "fait Participants 4 écoles" in page and "fait Barème de points 10 6 4 2" in page
    assert step_states(admin.get("/admin/editions/2028")) == {
        "Informations": "facultatif",
        "Participants": "fait",
        "Programme": "fait",
        "Barème de points": "fait",
        "Ouverture": "à faire",
    }


def test_a_step_refused_keeps_what_was_typed_and_saves_nothing(admin, live):
    admin.post("/admin/editions/new", data={"edition-year": "2028"})
    response = admin.post(
        "/admin/editions/2028/participants", data={"school-ales": "y", "size-ales": "trois cents", "school-albi": "y"}
    )
    assert response.status_code == 422
    assert "La taille de la délégation de IMT Mines Alès doit être un nombre entier supérieur à 0." in text(response)
    assert 'value="trois cents"' in response.get_data(as_text=True)
    assert edition_of(2028).participations == []


def test_the_programme_can_start_from_the_previous_editions(admin, live):
    admin.post("/admin/editions/new", data={"edition-year": "2028"})
    response = admin.post("/admin/editions/2028/programme", data={"copy_from": "2026"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Le programme de 2026 est rempli ci-dessous : vérifiez-le, puis enregistrez." in text(response)
    ticked = {d.slug for d in (live.hb, live.fb, live.swim, live.other)}
    programme_2026 = {e.discipline.slug for e in edition_of(2026).programme}
    for slug in ticked:
        assert (f'<input checked id="discipline-{slug}"' in page) == (slug in programme_2026), slug
    assert edition_of(2028).programme == []  # filled in, not saved


def test_opening_is_refused_with_the_list_of_what_is_missing(admin, live):
    admin.post("/admin/editions/new", data={"edition-year": "2028"})
    admin.post(
        "/admin/editions/2028/participants", data={f"school-{s}": "y" for s in ("ales", "albi", "nancy", "douai")}
    )
    response = admin.post(
        "/admin/editions/2028/status", data={"target": "live", "confirm": "yes"}, follow_redirects=True
    )
    assert (
        "Cette édition ne peut pas encore être ouverte : définissez d'abord le programme (les disciplines disputées) "
        "et le barème de points." in text(response)
    )
    assert edition_of(2028).status is EditionStatus.PLANNED
    assert not db.session.scalars(sa.select(AuditEntry).filter_by(action="edition.open")).all()


def test_one_live_edition_at_a_time(admin, live, make_edition):
    make_edition(2028, status=EditionStatus.PLANNED, schools=live.schools, disciplines=[live.hb])
    db.session.commit()
    assert "L'édition 2026 est en cours : clôturez-la avant d'en ouvrir une autre" in text(
        admin.get("/admin/editions/2028")
    )
    response = admin.post(
        "/admin/editions/2028/status", data={"target": "live", "confirm": "yes"}, follow_redirects=True
    )
    assert "L'édition 2026 est en cours : clôturez-la avant d'en ouvrir une autre" in text(response)
    assert edition_of(2028).status is EditionStatus.PLANNED
    # once 2026 is closed, 2028 opens; then 2026 cannot be reopened while 2028 is live
    admin.post("/admin/editions/2026/status", data={"target": "finished", "confirm": "yes"})
    response = admin.post(
        "/admin/editions/2028/status", data={"target": "live", "confirm": "yes"}, follow_redirects=True
    )
    assert "L'édition est maintenant : en cours." in text(response)
    response = admin.post(
        "/admin/editions/2026/status", data={"target": "live", "confirm": "yes"}, follow_redirects=True
    )
    assert "L'édition 2028 est en cours" in text(response)
    assert edition_of(2026).status is EditionStatus.FINISHED


def test_closing_asks_first_and_says_what_will_be_frozen(admin, live):
    admin.post("/saisie/handball-men", data=podium_form("ales", "albi", "nancy"))
    response = admin.post("/admin/editions/2026/status", data={"target": "finished"})
    assert response.status_code == 200
    page = text(response)
    assert "Clôturer le Cartel 2026 ?" in page
    assert "le classement ci-dessous devient le classement final de l'édition" in page
    assert "1 IMT Mines Alès 10" in page  # the ranking that would be frozen
    assert (
        "2 disciplines sur 3 n'ont pas de résultat définitif : elles sont figées telles quelles "
        "(un résultat provisoire compte tel qu'il a été saisi, un résultat manquant ne compte pas). "
        "Football féminin · à venir Swimming · à venir" in page
    )
    assert edition_of(2026).status is EditionStatus.LIVE
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OfficialStanding)) == 0
    response = admin.post("/admin/editions/2026/status", data={"target": "finished", "confirm": "yes"})
    assert response.status_code == 303 and edition_of(2026).status is EditionStatus.FINISHED


def test_cancelling_asks_first(admin, make_edition):
    make_edition(2028, status=EditionStatus.PLANNED)
    db.session.commit()
    response = admin.post("/admin/editions/2028/status", data={"target": "cancelled"})
    assert "Annuler le Cartel 2028 ?" in text(response)
    assert edition_of(2028).status is EditionStatus.PLANNED


def test_the_organisers_step_offers_links_for_the_whole_programme(admin, live, make_discipline):
    make_discipline("volleyball", Category.WOMEN)  # in the catalogue, not in the programme
    db.session.commit()
    page = admin.get("/admin/editions/2026/organisers").get_data(as_text=True)
    for d in (live.hb, live.fb, live.swim):
        assert f'name="disciplines" value="{d.slug}"' in page
    assert 'value="volleyball-women"' not in page and 'value="chess-open"' not in page
    assert re.search(r'<input checked id="programme-0" name="programme" type="radio" value="whole">', page)
    assert 'action="/admin/links?edition=2026"' in page


def test_a_discipline_with_results_cannot_leave_the_programme_and_is_named(admin, live):
    admin.post("/saisie/handball-men", data=podium_form("ales", "albi", "nancy"))
    response = admin.post("/admin/editions/2026/programme", data={"discipline-football-women": "y"})
    assert response.status_code == 422
    assert "Ces disciplines ont des résultats et ne peuvent pas être retirées : Handball masculin." in text(response)
    assert len(edition_of(2026).programme) == 3


def test_the_set_up_forms_need_their_csrf_token(admin, live, app):
    """The per-form CSRF checks are gone: the app-wide CSRFProtect refuses every post without a token."""
    app.config["WTF_CSRF_ENABLED"] = True
    posts = {
        "/admin/editions/2026/status": {"target": "finished", "confirm": "yes"},
        "/admin/editions/2026/participants": {"school-ales": "y"},
        "/admin/editions/2026/programme": {"discipline-chess-open": "y"},
        "/admin/editions/2026/scheme": {"scheme-place_points": "3 2 1", "scheme-tie_rule": "shared"},
        "/admin/editions/2026/details": {"edition-year": "2030"},
    }
    for url, data in posts.items():
        assert admin.post(url, data=data).status_code == 400, url
    edition = edition_of(2026)
    assert edition.status is EditionStatus.LIVE and len(edition.participations) == 4 and len(edition.programme) == 3
    assert edition.scheme.place_points == [10, 6, 4, 2]


def test_the_command_line_says_what_a_new_organiser_may_enter(runner, app):
    result = runner.invoke(args=["user", "create", "orga@example.org"], input="a long password\n" * 2)
    assert result.exit_code == 0, result.output
    assert "may enter the whole programme, penalties included; limit it to some disciplines at /admin/users" in (
        result.output
    )


@pytest.mark.parametrize(
    ("year", "message"),
    [
        ("99999999999999999999", "Le nombre doit être compris entre 1950 et 2200."),
        ("abc", "N'est pas un entier valide."),
        ("", "Ce champ est requis."),
    ],
)
def test_a_year_that_cannot_be_is_refused_with_one_clear_message(admin, live, year, message):
    for url in ("/admin/editions/new", "/admin/editions/2026/details"):
        response = admin.post(url, data={"edition-year": year})
        assert response.status_code == 422, url
        errors = re.findall(
            r'<span class="error" id="edition-year-error">([^<]*)</span>', response.get_data(as_text=True)
        )
        assert [html.unescape(e) for e in errors] == [message], url
    assert edition_of(2026) is not None


def test_a_frozen_ranking_still_shows_the_penalties_in_its_totals(admin, live, client):
    admin.post("/saisie/handball-men", data=podium_form("ales", "albi", "nancy"))
    admin.post("/saisie/adjustments", data={"school": "ales", "points": "-4", "reason": "Retard"})
    before = client.get("/api/editions/2026").get_json()["ranking"]["rows"]
    admin.post("/admin/editions/2026/status", data={"target": "finished", "confirm": "yes"})
    after = client.get("/api/editions/2026").get_json()["ranking"]
    assert after["kind"] == "official"
    assert [(r["school"]["slug"], r["points"], r["adjustment_points"]) for r in after["rows"]] == [
        (r["school"]["slug"], r["points"], r["adjustment_points"]) for r in before
    ]
    assert after["rows"][0]["adjustment_points"] == -4


def test_entry_links_last_until_the_edition_ends(admin, live, make_edition):
    soon = make_edition(2028, status=EditionStatus.PLANNED, schools=live.schools, disciplines=[live.hb])
    soon.end_date = utcnow().date() + dt.timedelta(days=3)
    db.session.commit()
    page = admin.get("/admin/editions/2028/organisers").get_data(as_text=True)
    hours = int(re.search(r'name="hours"[^>]* value="(\d+)"', page).group(1))
    assert 3 * 24 <= hours <= 4 * 24 + 2  # to midnight after the last day, Paris time
    assert "les liens sont valables jusqu'à la fin du dernier jour de l'édition" in text(
        admin.get("/admin/editions/2028/organisers")
    )


def test_links_printed_months_ahead_open_with_the_edition_and_last_to_its_end(admin, live, make_edition):
    """The walkthrough's trap: printed in December, 18 links expired four months before an April edition,
    and the step said ✓. Now they open the day before the first day and last to the end of the last."""
    admin.post("/admin/editions/2026/status", data={"target": "finished", "confirm": "yes"})
    later = make_edition(2029, status=EditionStatus.PLANNED, schools=live.schools, disciplines=[live.hb, live.fb])
    later.start_date = utcnow().date() + dt.timedelta(days=130)
    later.end_date = later.start_date + dt.timedelta(days=2)
    db.session.commit()
    page = admin.get("/admin/editions/2029/organisers").get_data(as_text=True)
    said = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    assert "s'ouvrent le" in said and "quel que soit le jour de l'impression" in said
    hours = int(re.search(r'name="hours"[^>]* value="(\d+)"', page).group(1))
    assert 4 * 24 - 2 <= hours <= 4 * 24 + 2  # the day before, then the three days of the edition
    sheet = admin.post("/admin/links?edition=2029", data={"programme": "whole", "label": "Terrain", "hours": hours})
    assert sheet.status_code == 200 and "Valable du" in sheet.get_data(as_text=True)
    links = db.session.scalars(sa.select(EntryLink).order_by(EntryLink.id)).all()
    assert len(links) == 2
    opens = dt.datetime.combine(later.start_date - dt.timedelta(days=1), dt.time(), tzinfo=ZoneInfo("Europe/Paris"))
    for link in links:
        assert link.valid_from == opens.astimezone(dt.UTC).replace(tzinfo=None)
        assert link.expires_at >= accounts.edition_end(later)
        assert not link.usable() and link.usable(now=link.valid_from + dt.timedelta(hours=30))
    # the step counts them: they serve the whole edition
    assert "2 liens de saisie valables pendant toute l'édition" in text(admin.get("/admin/editions/2029"))
    # a link used before it opens says when it will
    token = re.search(r"/e/([\w-]+)", sheet.get_data(as_text=True)).group(1)
    early = admin.get(f"/e/{token}")
    assert early.status_code == 403 and "Ce lien de saisie n'est pas encore ouvert" in text(early)
    # links that would expire before the edition ends do not count for the step
    for link in links:
        link.revoked_at = utcnow()
    db.session.commit()
    accounts.issue_links(later, [live.hb], "Court", 24, Actor())
    db.session.commit()
    assert "0 lien de saisie valable pendant toute l'édition" in text(admin.get("/admin/editions/2029"))


@pytest.mark.parametrize("breaks", ["99999999999999", "abc", "0", "1 1"])
def test_a_bad_tie_break_is_told_under_the_tie_breaks(admin, live, breaks):
    data = {"scheme-place_points": "10 6 4", "scheme-tie_rule": "shared", "scheme-tie_breaks": breaks}
    response = admin.post("/admin/editions/2026/scheme", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    errors = re.findall(r'<span class="error" id="scheme-(\w+)-error">([^<]*)</span>', page)
    assert [(f, html.unescape(e)) for f, e in errors] == [
        (
            "tie_breaks",
            french(
                "Ce barème n'est pas utilisable : le départage liste des places distinctes de 1 à 100, comme 1 2 3."
            ),
        )
    ]
    assert edition_of(2026).scheme.place_points == [10, 6, 4, 2]


def test_names_are_listed_as_a_french_reader_expects_and_sports_in_the_readers_language(
    admin, live, make_school, make_discipline
):
    make_school("ponts", "École des Ponts")
    make_school("emines", "EMINES")
    chess = db.session.scalar(sa.select(Sport).filter_by(slug="chess"))
    chess.name_fr, chess.name_en = "Échecs", "Chess"
    db.session.commit()
    page = admin.get("/admin/editions/2026/details").get_data(as_text=True)
    hosts = re.findall(r'<option (?:selected )?value="([a-z-]*)"', page.split('name="edition-host"')[1])
    assert hosts == ["", "ponts", "emines", "albi", "ales", "douai", "nancy"], hosts  # accents and case aside
    page = admin.get("/admin/disciplines?lang=en").get_data(as_text=True)
    sports = re.findall(r'<option value="([a-z-]+)">([^<]+)</option>', page.split('name="discipline-sport"')[1])
    assert ("chess", "Chess") in sports and "Échecs" not in page.split('name="discipline-sport"')[1].split("</select>")[
        0
    ]


def test_a_new_edition_for_a_year_taken_links_to_the_edition_there(admin, live):
    response = admin.post("/admin/editions/new?lang=en", data={"edition-year": "2026", "submission_id": "y1"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'An edition of this year already exists: <a href="/admin/editions/2026">open it</a>.' in html


def test_ticking_every_row_ticks_the_rows_and_a_row_unticked_afterwards_stays_out(admin, live, make_discipline):
    """Without JavaScript: "tick every discipline" sends the page back with every row ticked, nothing
    saved; the save then reads the rows alone, so a row unticked after it is left out."""
    for slug in ("chess-open", "rugby-women", "tennis-men"):
        make_discipline(slug)
    db.session.commit()
    admin.post("/admin/editions/new", data={"edition-year": "2028"})
    ticked = admin.post("/admin/editions/2028/programme", data={"tick": "all", "weight-chess-open": "2"})
    page = ticked.get_data(as_text=True)
    slugs = re.findall(r'<input (?:checked )?id="discipline-([\w-]+)"', page)
    assert len(slugs) >= 6 and all(f'<input checked id="discipline-{s}"' in page for s in slugs)
    assert 'value="2"' in page  # what was typed stays
    assert edition_of(2028).programme == []  # nothing saved
    kept = [s for s in slugs if s != "chess-open"]  # one row unticked after "tick every discipline"
    response = admin.post("/admin/editions/2028/programme", data={f"discipline-{s}": "y" for s in kept})
    assert response.status_code == 303
    assert sorted(e.discipline.slug for e in edition_of(2028).programme) == sorted(kept)
    unticked = admin.post("/admin/editions/2028/programme", data={"tick": "none"}).get_data(as_text=True)
    assert "<input checked" not in unticked.split('<table class="stacked">')[1]


def test_opening_asks_first_says_what_it_does_and_how_far_off_the_edition_is(admin, live, make_edition):
    """Opening an April edition in December took one click; now it asks, and says when the edition starts."""
    admin.post("/admin/editions/2026/status", data={"target": "finished", "confirm": "yes"})
    later = make_edition(2028, status=EditionStatus.PLANNED, schools=live.schools, disciplines=[live.hb])
    later.start_date = utcnow().date() + dt.timedelta(days=130)
    db.session.commit()
    overview = admin.get("/admin/editions/2028").get_data(as_text=True)
    assert '<button name="target" value="live" class="primary">Ouvrir l\'édition…</button>' in overview
    asked = admin.post("/admin/editions/2028/status", data={"target": "live"})
    assert asked.status_code == 200 and edition_of(2028).status is EditionStatus.PLANNED  # nothing changed yet
    page = text(asked)
    assert "Ouvrir le Cartel 2028 ?" in page and "dans 130 jours" in page
    assert "le public" in page and "ne peut pas être défait" in page
    form = asked.get_data(as_text=True)
    assert 'name="confirm" value="yes"' in form and "Oui, ouvrir l'édition" in page
    opened = admin.post("/admin/editions/2028/status", data={"target": "live", "confirm": "yes"})
    assert opened.status_code == 303 and edition_of(2028).status is EditionStatus.LIVE


def test_an_administrator_edits_or_clears_the_source_the_public_page_warns_about(seeded, client, make_user):
    make_user("admin@example.org", role="admin")
    login(client, "admin@example.org")
    warning = "Une seule source, fragile, annonce cette édition"
    assert warning in text(client.get("/editions/2027"))
    form = client.get("/admin/editions/2027/details").get_data(as_text=True)
    assert "Weak source: announced in one sponsorship text only" in form  # shown to be edited
    details = {
        "edition-year": "2027",
        "edition-number": "52",
        "edition-host": "imt-nord-europe",
        "edition-start_date": "2027-04-22",
        "edition-end_date": "2027-04-25",
        "edition-source": "  ",
    }
    assert client.post("/admin/editions/2027/details", data=details).status_code == 303
    assert edition_of(2027).source is None  # cleared
    assert warning not in text(client.get("/editions/2027"))
    entry = db.session.scalars(sa.select(AuditEntry).filter_by(action="edition.update").order_by(AuditEntry.id)).all()[
        -1
    ]
    assert entry.before["source"].startswith("Weak source") and entry.after["source"] is None
    too_long = client.post("/admin/editions/2027/details", data={**details, "edition-source": "x" * 301})
    assert too_long.status_code == 422 and edition_of(2027).source is None


def test_a_new_edition_stays_out_of_the_public_pages_until_published(admin, app, live):
    client = app.test_client()  # a visitor, not the administrator
    admin.post("/admin/editions/new", data={"edition-year": "2028"})
    assert edition_of(2028).public is False
    assert "2028" not in text(client.get("/editions"))
    assert client.get("/editions/2028").status_code == 404
    assert client.get("/api/editions/2028").status_code == 404
    assert 2028 not in [e["year"] for e in client.get("/api/editions").get_json()["editions"]]
    overview = text(admin.get("/admin/editions/2028"))
    assert "Pas encore publique" in overview
    for _ in range(2):  # posted twice: published once
        assert admin.post("/admin/editions/2028/public", data={"public": "yes"}).status_code == 303
    assert edition_of(2028).public is True
    assert "2028" in text(client.get("/editions")) and client.get("/editions/2028").status_code == 200
    changes = db.session.scalars(sa.select(AuditEntry).filter_by(action="edition.update").order_by(AuditEntry.id))
    assert [(c.before, c.after) for c in changes] == [({"public": False}, {"public": True})]
    for forged in ({"public": "maybe"}, {}):  # anything but yes or no changes nothing
        refused = admin.post("/admin/editions/2028/public", data=forged)
        assert refused.status_code == 400 and french("publique : oui ou non") in refused.get_data(as_text=True)
        assert edition_of(2028).public is True
    admin.post("/admin/editions/2028/public", data={"public": "no"})
    assert client.get("/editions/2028").status_code == 404
    # the seeds' planned editions, and every edition made before, stay public; opening publishes
    assert live.edition.public is True
    kept = admin.post("/admin/editions/2026/public", data={"public": "no"}, follow_redirects=True)
    assert "Une édition en cours ou passée reste sur les pages publiques." in text(kept)  # not "is public."
    assert live.edition.public is True and client.get("/editions/2026").status_code == 200


def test_opening_an_edition_never_published_publishes_it(admin, app, live):
    client = app.test_client()
    admin.post("/admin/editions/2026/status", data={"target": "finished", "confirm": "yes"})
    admin.post("/admin/editions/new", data={"edition-year": "2028"})
    admin.post("/admin/editions/2028/participants", data={f"school-{s.slug}": "y" for s in live.schools})
    admin.post("/admin/editions/2028/programme", data={"discipline-handball-men": "y"})
    admin.post("/admin/editions/2028/scheme", data={"scheme-place_points": "10 6 4", "scheme-tie_rule": "shared"})
    assert admin.post("/admin/editions/2028/status", data=OPEN).status_code == 303
    assert edition_of(2028).status is EditionStatus.LIVE and edition_of(2028).public is True
    assert client.get("/editions/2028").status_code == 200


@pytest.mark.parametrize(
    "start, end", [("0001-01-01", "0001-01-02"), ("9999-12-30", "9999-12-31"), ("2027-04-22", "2028-04-25")]
)
def test_an_edition_s_days_fall_in_its_year(admin, live, make_edition, start, end):
    """A typo such as 0001 used to be saved, then the links step failed on it (a date out of range)."""
    make_edition(2028, status=EditionStatus.PLANNED, schools=live.schools, disciplines=[live.hb])
    db.session.commit()
    data = {"edition-year": "2028", "edition-start_date": start, "edition-end_date": end}
    response = admin.post("/admin/editions/2028/details", data=data)
    assert response.status_code == 422 and "Le jour doit tomber en 2028, l'année de l'édition." in text(response)
    assert edition_of(2028).start_date is None and edition_of(2028).end_date is None  # nothing saved
    assert admin.get("/admin/editions/2028/organisers").status_code == 200
