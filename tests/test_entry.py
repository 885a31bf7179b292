"""Courtside entry: saving podiums, ties, joint teams, validation, conflicts, retries, history."""

import re
from html import unescape

import pytest
import sqlalchemy as sa

from cartel.extensions import db
from cartel.models import AuditEntry, ResultState
from cartel.words.typography import french
from tests.helpers import asset, entry_of, login, places, podium_form, text


def test_saving_a_podium_shows_points_gained_and_the_new_ranking(organiser, live):
    response = organiser.post("/saisie/handball-men", data=podium_form("ales", "albi", "nancy"))
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/saisie/handball-men/saved/1")
    page = text(organiser.get(response.headers["Location"]))
    assert "Enregistré : résultat définitif." in page
    assert "1 IMT Mines Alès +10 2 IMT Mines Albi +6 3 Mines Nancy +4" in page
    assert "1 IMT Mines Alès 10 1 0 0 2 IMT Mines Albi 6 0 1 0 3 Mines Nancy 4 0 0 1" in page
    entry = entry_of(live, live.hb)
    assert (entry.version, entry.result_state) == (1, ResultState.FINAL)
    assert places(live, live.hb) == [(1, ("ales",)), (2, ("albi",)), (3, ("nancy",))]


def test_shared_third_place_and_joint_team(organiser, live):
    organiser.post("/saisie/handball-men", data=podium_form(("ales", "albi"), "nancy", "douai", (), tied=()))
    assert places(live, live.hb) == [(1, ("albi", "ales")), (2, ("nancy",)), (3, ("douai",))]
    page = text(organiser.get("/saisie/handball-men/saved/1"))  # one team, one row: not a tie of two schools
    assert "1 IMT Mines Alès + IMT Mines Albi +5 chacune 2 Mines Nancy +6 3 IMT Nord Europe +4" in page
    data = podium_form("ales", "albi", "nancy", "douai", tied=(4,), version=1, submission_id="sub-2")
    assert organiser.post("/saisie/handball-men", data=data).status_code == 303
    assert places(live, live.hb) == [(1, ("ales",)), (2, ("albi",)), (3, ("nancy",)), (3, ("douai",))]
    page = text(organiser.get("/saisie/handball-men/saved/2"))
    assert "3 Mines Nancy +4 3 IMT Nord Europe +4" in page


@pytest.mark.parametrize(
    "data, status, message, row",
    [
        (podium_form("ales", "albi", "ales"), 422, "IMT Mines Alès est déjà placé (place 1).", 3),
        (podium_form("ales", ("albi", "ales")), 422, "IMT Mines Alès est déjà placé (place 1).", 2),
        (podium_form("ales", "", "nancy"), 422, "Cette place est vide alors qu'une place suivante est remplie.", 2),
        (podium_form("ales", "albi", tied=()) | {"row-1-tied": "on"}, 200, None, None),
        (podium_form("ales", (), "nancy", tied=(3,)), 422, "« Ex aequo » demande une équipe à la place au-dessus.", 3),
        (podium_form(), 422, "Choisissez au moins le vainqueur.", None),
        (podium_form("ales", state="maybe"), 422, "Choisissez provisoire ou définitif.", None),
    ],
)
def test_validation_says_what_and_where_and_saves_nothing(organiser, live, data, status, message, row):
    response = organiser.post("/saisie/handball-men", data=data)
    if status == 200:  # row 1 has no tie box: a forged one is ignored
        assert response.status_code == 303
        return
    assert response.status_code == status
    html = response.get_data(as_text=True)
    if row is not None:
        fieldset = html.split(f'id="row-{row}"')[1].split("</fieldset>")[0]
        assert french(message) in unescape(fieldset)
    else:
        assert message in text(response)
    assert places(live, live.hb) == [] and entry_of(live, live.hb).version == 0
    typed = {key: value for key, value in data.items() if key.endswith("-school") and value}
    for key, value in typed.items():  # what was typed is shown again, chosen
        assert f'name="{key}" value="{value}" checked' in html, key


def test_a_refused_form_without_a_submission_id_is_shown_again_with_a_new_one(organiser, live):
    """Never one shared "None": the next tap of each organiser is a submission of its own."""
    data = {k: v for k, v in podium_form("ales", "ales").items() if k != "submission_id"}
    ids = set()
    for _ in range(2):
        response = organiser.post("/saisie/handball-men", data=data)
        assert response.status_code == 422
        ids.add(re.search(r'name="submission_id" value="([^"]*)"', response.get_data(as_text=True)).group(1))
    assert len(ids) == 2 and all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)


def test_school_not_taking_part_is_refused(organiser, live, make_school):
    make_school("eurecom", "EURECOM")
    db.session.commit()
    response = organiser.post("/saisie/handball-men", data=podium_form("eurecom", "ales"))
    assert response.status_code == 422
    assert "eurecom ne participe pas à cette édition." in text(response)


def test_discipline_outside_the_programme_and_edition_not_live(organiser, live):
    response = organiser.post("/saisie/chess-open", data=podium_form("ales"))
    assert response.status_code == 404
    assert "Cette discipline n'est pas au programme de l'édition." in text(response)
    from cartel.models import EditionStatus

    live.edition.status = EditionStatus.FINISHED
    db.session.commit()
    response = organiser.post("/saisie/handball-men", data=podium_form("ales"))
    assert response.status_code == 409
    assert "Aucune édition n'est en cours." in text(response)


def test_saving_from_an_older_version_is_refused_with_the_other_result(organiser, live):
    organiser.post("/saisie/handball-men", data=podium_form("ales", "albi", "nancy", submission_id="a"))
    response = organiser.post("/saisie/handball-men", data=podium_form("douai", "nancy", "albi", submission_id="b"))
    assert response.status_code == 409
    page = text(response)
    assert "Un autre organisateur a enregistré ce résultat" in page
    assert "Place 1: IMT Mines Alès" in page
    html = response.get_data(as_text=True)
    assert 'name="version" value="1"' in html
    assert re.search(r'id="r1-douai" name="row-1-school" value="douai" checked', html)
    assert places(live, live.hb)[0] == (1, ("ales",))
    # re-apply mine, from the version now shown
    new_id = re.search(r'name="submission_id" value="(\w+)"', html).group(1)
    response = organiser.post(
        "/saisie/handball-men", data=podium_form("douai", "nancy", "albi", version=1, submission_id=new_id)
    )
    assert response.status_code == 303
    assert places(live, live.hb)[0] == (1, ("douai",))


def test_a_double_tap_or_retry_saves_once(organiser, live):
    data = podium_form("ales", "albi", "nancy", submission_id="same-tap")
    first = organiser.post("/saisie/handball-men", data=data)
    second = organiser.post("/saisie/handball-men", data=data)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert entry_of(live, live.hb).version == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).filter_by(action="result.save")) == 1


def test_provisional_then_final(organiser, live, client):
    organiser.post("/saisie/handball-men", data=podium_form("ales", "albi", state="provisional"))
    assert entry_of(live, live.hb).result_state is ResultState.PROVISIONAL
    public = text(client.get("/editions/2026"))
    assert "Handball masculin provisoire" in public
    assert "Provisoire : 0 discipline sur 3 a un résultat définitif." in public
    response = organiser.post("/saisie/handball-men/confirm", data={"version": "1", "submission_id": "c1"})
    assert response.status_code == 303
    entry = entry_of(live, live.hb)
    assert (entry.result_state, entry.version) == (ResultState.FINAL, 2)
    assert places(live, live.hb) == [(1, ("ales",)), (2, ("albi",))]


def test_history_lists_changes_and_restores_an_earlier_version(organiser, live, client):
    organiser.post("/saisie/handball-men", data=podium_form("ales", "albi", "nancy", submission_id="1"))
    organiser.post("/saisie/handball-men", data=podium_form("albi", "ales", "nancy", version=1, submission_id="2"))
    page = text(organiser.get("/saisie/handball-men/history"))
    assert page.count("orga@example.org") == 2
    first = db.session.scalars(sa.select(AuditEntry).filter_by(action="result.save").order_by(AuditEntry.id)).first()
    response = organiser.post(f"/saisie/handball-men/restore/{first.id}", data={"side": "after", "version": "2"})
    assert response.status_code == 303
    assert places(live, live.hb)[0] == (1, ("ales",))
    restore = db.session.scalars(sa.select(AuditEntry).filter_by(action="result.restore")).one()
    assert restore.before["places"][0] == [1, ["albi"]] and restore.after["version"] == 3
    assert "Corrigé le" in text(client.get("/editions/2026"))


def test_restoring_a_history_line_that_is_not_a_saved_result_is_a_clear_400(organiser, live):
    assert organiser.post("/saisie/handball-men/start", data={"version": "0"}).status_code == 303
    assert organiser.post("/saisie/handball-men", data=podium_form("ales", version=1)).status_code == 303
    start = db.session.scalars(sa.select(AuditEntry).filter_by(action="result.start")).one()
    save = db.session.scalars(sa.select(AuditEntry).filter_by(action="result.save")).one()
    save.before = None  # as for the first save of a result made before starts were recorded
    db.session.commit()
    for line in (start, save):  # the state before a start (no podium at all), nothing before a first save
        response = organiser.post(f"/saisie/handball-men/restore/{line.id}", data={"side": "before", "version": "2"})
        assert response.status_code == 400
        assert "Seule une version enregistrée de ce résultat peut être restaurée" in text(response)
    response = organiser.post(
        f"/saisie/handball-men/restore/{start.id}", data={"side": "after", "version": "2"}, follow_redirects=True
    )
    assert "Cette version n'a aucune équipe classée : rien à restaurer." in text(response)
    assert places(live, live.hb) == [(1, ("ales",))] and entry_of(live, live.hb).version == 2


def test_restoring_says_which_side_or_nothing_is_restored(organiser, live):
    organiser.post("/saisie/handball-men", data=podium_form("ales", "albi", submission_id="1"))
    organiser.post("/saisie/handball-men", data=podium_form("albi", "ales", version=1, submission_id="2"))
    first = db.session.scalars(sa.select(AuditEntry).filter_by(action="result.save").order_by(AuditEntry.id)).first()
    response = organiser.post(f"/saisie/handball-men/restore/{first.id}", data={"side": "sideways", "version": "2"})
    assert response.status_code == 400 and "Le formulaire est incomplet" in text(response)
    assert places(live, live.hb)[0] == (1, ("albi",)) and entry_of(live, live.hb).version == 2
    no_side = organiser.post(f"/saisie/handball-men/restore/{first.id}", data={"version": "2"})
    assert no_side.status_code == 303  # no side: the version made
    assert places(live, live.hb)[0] == (1, ("ales",))


def test_entry_page_lists_disciplines_with_their_state(organiser, live):
    organiser.post("/saisie/handball-men", data=podium_form("ales", state="provisional"))
    page = text(organiser.get("/saisie/"))
    assert "Handball masculin provisoire" in page
    assert "Football féminin à venir" in page


def test_marking_a_discipline_in_progress(organiser, live, client):
    assert organiser.post("/saisie/swimming-open/start", data={"version": "0"}).status_code == 303
    entry = entry_of(live, live.swim)
    assert (entry.result_state, entry.version) == (ResultState.IN_PROGRESS, 1)
    assert "Swimming en cours" in text(client.get("/editions/2026"))  # the factory names the sport "Swimming"
    assert organiser.post("/saisie/swimming-open", data=podium_form("ales", version=1)).status_code == 303
    assert (
        organiser.post("/saisie/swimming-open/start", data={"version": "2"}, follow_redirects=True).status_code == 200
    )
    assert entry_of(live, live.swim).result_state is ResultState.FINAL


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("two organisers", [303, 409]),  # two ids: one saves, the other is told of the conflict
        ("double tap", [303, 303]),  # one id, one podium: saved once, both told where it is
        ("id reused", [303, 409]),  # one id with two podiums: never a silent "saved"
    ],
)
def test_two_simultaneous_saves_of_one_version_make_one_change(app, make_user, live, case, expected):
    """Two organisers (or one double tap) at the same instant: one save, then a 409 or the same redirect."""
    import threading

    make_user("a@example.org")
    clients = [app.test_client(), app.test_client()]
    for c in clients:
        login(c, "a@example.org")
    barrier = threading.Barrier(2)
    results = [None, None]

    def save(i):
        podium = ("ales", "nancy") if case == "double tap" else (("ales", "albi")[i], ("nancy", "douai")[i])
        data = podium_form(*podium, submission_id=f"sub-{i}" if case == "two organisers" else "same")
        barrier.wait()
        results[i] = clients[i].post("/saisie/handball-men", data=data).status_code

    threads = [threading.Thread(target=save, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) == expected
    assert entry_of(live, live.hb).version == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).filter_by(action="result.save")) == 1
    assert len(places(live, live.hb)) == 2


# --- entry without friction -----------------------------------------------------------------------


def next_link(response) -> tuple[str, str]:
    """Where "Next discipline" leads from a confirmation page, and what it says."""
    html = response.get_data(as_text=True)
    tag = re.search(r'<a class="button secondary[^"]*" href="([^"]+)" data-next>(.*?)</a>', html)
    return tag.group(1), " ".join(unescape(re.sub(r"<[^>]+>", " ", tag.group(2))).split())


def test_next_discipline_is_the_next_one_without_a_final_result(organiser, live, make_user, client):
    # programme order, as the entry page lists it: Football féminin, Handball masculin, Swimming
    assert organiser.post("/saisie/swimming-open", data=podium_form("ales", submission_id="s")).status_code == 303
    response = organiser.post("/saisie/handball-men", data=podium_form("ales", "albi", submission_id="h"))
    saved = organiser.get(response.headers["Location"])
    # Swimming comes next but is final: skipped; the programme goes round to Football féminin
    assert next_link(saved) == ("/saisie/football-women", "Discipline suivante Football féminin")
    response = organiser.post(
        "/saisie/football-women", data=podium_form("nancy", state="provisional", submission_id="f")
    )
    saved = organiser.get(response.headers["Location"])
    # every other discipline is final: back to the list, saying why
    assert next_link(saved) == (
        "/saisie/",
        "Toutes les disciplines aucune autre discipline n'attend de résultat définitif",
    )
    response = organiser.post(
        "/saisie/handball-men", data=podium_form("albi", version=1, state="provisional", submission_id="h2")
    )
    saved = organiser.get(response.headers["Location"])
    assert next_link(saved)[0] == "/saisie/football-women"  # a provisional result still waits for its final one

    organiser.post("/logout")
    make_user("hand@example.org", disciplines=[live.hb, live.swim])  # may not enter Football féminin
    login_as(client, "hand@example.org")
    assert next_link(client.get("/saisie/handball-men/saved/2"))[0] == "/saisie/"


def login_as(client, email):

    assert login(client, email).status_code == 302


def partner_option(html: str, row: int, school: str) -> str:
    return re.search(rf'<input type="checkbox" id="p{row}-{school}"[^>]*>', html).group(0)


def test_the_joint_team_picker_never_offers_the_rows_own_school(organiser, live):
    organiser.post("/saisie/handball-men", data=podium_form(("ales", "albi"), "nancy"))
    html = organiser.get("/saisie/handball-men").get_data(as_text=True)
    assert " hidden" in partner_option(html, 1, "ales") and " hidden" in partner_option(html, 2, "nancy")
    assert re.search(r'<label for="p1-ales"[^>]* hidden>', html)
    assert partner_option(html, 1, "albi").endswith("checked>")  # the partner, shown ticked
    for row, school in [(1, "nancy"), (1, "douai"), (2, "ales"), (3, "ales"), (3, "nancy")]:
        assert " hidden" not in partner_option(html, row, school), (row, school)
    # also when a refused form is shown again as typed
    response = organiser.post("/saisie/handball-men", data=podium_form("douai", ("ales", "douai"), version=1))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert " hidden" in partner_option(html, 1, "douai") and " hidden" in partner_option(html, 2, "ales")
    assert " hidden" not in partner_option(html, 2, "douai")


def test_the_shared_third_place_row_is_on_the_form_with_ex_aequo_next_to_each_place(organiser, live, make_school):
    from cartel.models import Participation

    live.edition.participations.append(Participation(school=make_school("paris", "Mines Paris")))
    db.session.commit()  # a fifth participant: a fifth row, folded away under "More places"
    html = organiser.get("/saisie/handball-men").get_data(as_text=True)
    shown, folded = html.split('<details class="more">')
    assert "Autres places" in folded and 'id="row-5"' in folded
    for row in (1, 2, 3, 4):
        assert f'id="row-{row}"' in shown
    fieldset = html.split('id="row-4"')[1].split("</fieldset>")[0]
    legend_then_tie = fieldset.split('<div class="choices">')[0]
    assert (
        "Place 4" in legend_then_tie and 'name="row-4-tied"' in legend_then_tie
    )  # next to the place, before the schools
    assert 'name="row-1-tied"' not in html


def test_the_form_says_saving_while_a_save_is_in_flight_and_posts_without_javascript(organiser, live):
    html = organiser.get("/saisie/handball-men").get_data(as_text=True)
    form = html.split('<form method="post" action="/saisie/handball-men"')[1].split("</form>")[0]
    assert "data-saving" in form and 'data-text="Enregistrement…"' in form
    # without JavaScript, the buttons themselves say which state is saved
    assert '<button type="submit" name="state" value="final" class="primary">' in form
    assert "disabled" not in form
    assert f'<script src="{asset("js/entry.js")}" defer>' in html


def test_history_shows_each_versions_state_and_what_a_restore_restores(organiser, live):
    organiser.post("/saisie/handball-men", data=podium_form("ales", "albi", state="provisional", submission_id="1"))
    organiser.post("/saisie/handball-men/confirm", data={"version": "1", "submission_id": "2"})
    organiser.post("/saisie/handball-men", data=podium_form("albi", ("ales", "nancy"), version=2, submission_id="3"))
    response = organiser.get("/saisie/handball-men/history")
    page = text(response)
    html = response.get_data(as_text=True)
    states = [unescape(s) for s in re.findall(r"<span class=\"badge muted\" data-state>([^<]+)</span>", html)]
    # newest first: (final -> final), (provisional -> final), (to come -> provisional)
    assert states == ["définitif", "définitif", "provisoire", "définitif", "à venir", "provisoire"]
    buttons = [
        " ".join(unescape(b).split())
        for b in re.findall(r'<button type="submit" class="secondary restore">([^<]+)</button>', html)
    ]
    assert buttons == [
        "Restaurer cette version : 1. IMT Mines Alès, 2. IMT Mines Albi (définitif)",
        "Restaurer cette version : 1. IMT Mines Alès, 2. IMT Mines Albi (provisoire)",
    ]
    assert "Après définitif" in page
    first = db.session.scalars(sa.select(AuditEntry).filter_by(action="result.save").order_by(AuditEntry.id)).first()
    version = entry_of(live, live.hb).version
    assert (
        organiser.post(
            f"/saisie/handball-men/restore/{first.id}", data={"side": "after", "version": version}
        ).status_code
        == 303
    )
    entry = entry_of(live, live.hb)
    assert entry.result_state is ResultState.PROVISIONAL  # as the button said
    assert places(live, live.hb) == [(1, ("ales",)), (2, ("albi",))]


# --- penalties and bonuses ------------------------------------------------------------------------


def test_a_penalty_with_a_decimal_comma_is_stored_as_typed(organiser, live):
    from decimal import Decimal

    from cartel.models import PointAdjustment

    html = organiser.get("/saisie/adjustments").get_data(as_text=True)
    assert 'type="number"' not in html
    points = re.search(r'<input [^>]*id="points"[^>]*>', html).group(0)
    # the phone's number keypad; the iPhone's has no minus sign, so the sign is a choice beside it
    assert 'type="text"' in points and 'inputmode="decimal"' in points
    assert re.search(r'<input [^>]*checked[^>]*value="penalty"|<input [^>]*value="penalty"[^>]*checked', html)
    typings = [
        ("penalty", "2,5", Decimal("-2.50")),
        ("penalty", "-2,5", Decimal("-2.50")),  # the sign typed as well: the same penalty
        ("bonus", "1,25", Decimal("1.25")),
        (None, "\u22121,25", Decimal("-1.25")),  # no choice posted (a script): the sign as typed
        (None, " 3 ", Decimal("3.00")),
    ]
    for kind, typed, stored in typings:
        data = {"school": "albi", "points": typed, "reason": "retard"} | ({"kind": kind} if kind else {})
        response = organiser.post("/saisie/adjustments", data=data)
        assert response.status_code == 303, typed
        db.session.expire_all()
        newest = db.session.scalars(sa.select(PointAdjustment).order_by(PointAdjustment.id.desc())).first()
        assert newest.points == stored and str(newest.points) == str(stored), typed
    response = organiser.post("/saisie/adjustments", data={"school": "albi", "points": "-2,5,1", "reason": "x"})
    assert response.status_code == 422 and "Indiquez un nombre de points, comme 2 ou 1,5." in text(response)
    assert 'value="-2,5,1"' in response.get_data(as_text=True)  # shown again as typed
    bonus = {"school": "albi", "kind": "bonus", "points": "-2", "reason": "x"}
    response = organiser.post("/saisie/adjustments", data=bonus)
    assert response.status_code == 422 and "Un bonus ajoute des points" in text(response)


def test_the_penalty_form_preselects_no_school_and_refuses_a_blank_one(organiser, live):
    from cartel.models import PointAdjustment

    html = organiser.get("/saisie/adjustments").get_data(as_text=True)
    select = html.split("<select", 1)[1].split("</select>")[0]
    options = re.findall(r"<option[^>]*>", select)
    assert options[0] == '<option value="">' and not any("selected" in o for o in options)
    response = organiser.post("/saisie/adjustments", data={"school": "", "points": "-2", "reason": "retard"})
    assert response.status_code == 422 and "Choisissez une école." in text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PointAdjustment)) == 0


def test_removing_a_penalty_asks_first(organiser, live, adjust):
    from cartel.models import PointAdjustment

    penalty = adjust(live.edition, live.albi, -2, "retard")
    db.session.commit()
    html = organiser.get("/saisie/adjustments").get_data(as_text=True)
    assert f'action="/saisie/adjustments/{penalty.id}/delete"' not in html  # no removal in one tap
    assert f'href="/saisie/adjustments/{penalty.id}/delete">Retirer…</a>' in html
    question = organiser.get(f"/saisie/adjustments/{penalty.id}/delete")
    assert question.status_code == 200
    assert "Retirer cet ajustement ? IMT Mines Albi : -2 — retard" in text(question).replace("\u2212", "-")
    form = question.get_data(as_text=True).split(
        f'<form method="post" action="/saisie/adjustments/{penalty.id}/delete"'
    )[1]
    assert '<button type="submit" class="danger">Oui, le retirer</button>' in form.split("</form>")[0]
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PointAdjustment)) == 1  # asking removed nothing
    response = organiser.post(f"/saisie/adjustments/{penalty.id}/delete")
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PointAdjustment)) == 0
