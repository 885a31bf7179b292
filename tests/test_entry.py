"""Courtside entry: saving podiums, ties, joint teams, validation, conflicts, retries, history."""

import re
from html import unescape

import pytest
import sqlalchemy as sa

from cartel.extensions import db
from cartel.models import AuditEntry, Placement, ProgrammeEntry, ResultState
from tests.test_public import text


def entry_of(live, discipline) -> ProgrammeEntry:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(ProgrammeEntry).filter_by(edition_id=live.edition.id, discipline_id=discipline.id)
    )


def podium(*rows, state="final", version=0, submission_id="sub-1", tied=()):
    """Form data: rows of school slugs (a tuple for a joint team); ``tied`` lists rows ex aequo with above."""
    data = {"state": state, "version": str(version), "submission_id": submission_id}
    for k, team in enumerate(rows, start=1):
        team = (team,) if isinstance(team, str) else team
        if team:
            data[f"row-{k}-school"] = team[0]
            if len(team) > 1:
                data[f"row-{k}-partners"] = list(team[1:])
        if k in tied:
            data[f"row-{k}-tied"] = "on"
    return data


def places(live, discipline):
    rows = db.session.execute(
        sa.select(Placement.place, Placement.id)
        .filter_by(edition_id=live.edition.id, discipline_id=discipline.id)
        .order_by(Placement.place, Placement.id)
    ).all()
    result = []
    for place, placement_id in rows:
        placement = db.session.get(Placement, placement_id)
        result.append((place, tuple(sorted(s.slug for s in placement.schools))))
    return result


def test_saving_a_podium_shows_points_gained_and_the_new_ranking(organiser, live):
    response = organiser.post("/saisie/handball-men", data=podium("ales", "albi", "nancy"))
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
    organiser.post("/saisie/handball-men", data=podium(("ales", "albi"), "nancy", "douai", (), tied=()))
    assert places(live, live.hb) == [(1, ("albi", "ales")), (2, ("nancy",)), (3, ("douai",))]
    data = podium("ales", "albi", "nancy", "douai", tied=(4,), version=1, submission_id="sub-2")
    assert organiser.post("/saisie/handball-men", data=data).status_code == 303
    assert places(live, live.hb) == [(1, ("ales",)), (2, ("albi",)), (3, ("nancy",)), (3, ("douai",))]
    page = text(organiser.get("/saisie/handball-men/saved/2"))
    assert "3 Mines Nancy +4 3 IMT Nord Europe +4" in page


@pytest.mark.parametrize(
    "data, status, message, row",
    [
        (podium("ales", "albi", "ales"), 422, "IMT Mines Alès est déjà placée plus haut (ligne 1).", 3),
        (podium("ales", ("albi", "ales")), 422, "IMT Mines Alès est déjà placée plus haut (ligne 1).", 2),
        (podium("ales", "", "nancy"), 422, "Cette place est vide alors qu'une place en dessous est remplie.", 2),
        (podium("ales", "albi", tied=()) | {"row-1-tied": "on"}, 200, None, None),
        (podium("ales", (), "nancy", tied=(3,)), 422, "« Ex aequo » demande une équipe à la place au-dessus.", 3),
        (podium(), 422, "Choisissez au moins le vainqueur.", None),
        (podium("ales", state="maybe"), 422, "Choisissez provisoire ou définitif.", None),
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
        assert message in unescape(fieldset)
    else:
        assert message in text(response)
    assert places(live, live.hb) == [] and entry_of(live, live.hb).version == 0
    typed = {key: value for key, value in data.items() if key.endswith("-school") and value}
    for key, value in typed.items():  # what was typed is shown again, chosen
        assert f'name="{key}" value="{value}" checked' in html, key


def test_school_not_taking_part_is_refused(organiser, live, make_school):
    make_school("eurecom", "EURECOM")
    db.session.commit()
    response = organiser.post("/saisie/handball-men", data=podium("eurecom", "ales"))
    assert response.status_code == 422
    assert "eurecom ne participe pas à cette édition." in text(response)


def test_discipline_outside_the_programme_and_edition_not_live(organiser, live):
    response = organiser.post("/saisie/chess-open", data=podium("ales"))
    assert response.status_code == 404
    assert "Cette discipline n'est pas au programme de l'édition." in text(response)
    from cartel.models import EditionStatus

    live.edition.status = EditionStatus.FINISHED
    db.session.commit()
    response = organiser.post("/saisie/handball-men", data=podium("ales"))
    assert response.status_code == 409
    assert "Aucune édition n'est en cours." in text(response)


def test_saving_from_an_older_version_is_refused_with_the_other_result(organiser, live):
    organiser.post("/saisie/handball-men", data=podium("ales", "albi", "nancy", submission_id="a"))
    response = organiser.post("/saisie/handball-men", data=podium("douai", "nancy", "albi", submission_id="b"))
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
        "/saisie/handball-men", data=podium("douai", "nancy", "albi", version=1, submission_id=new_id)
    )
    assert response.status_code == 303
    assert places(live, live.hb)[0] == (1, ("douai",))


def test_a_double_tap_or_retry_saves_once(organiser, live):
    data = podium("ales", "albi", "nancy", submission_id="same-tap")
    first = organiser.post("/saisie/handball-men", data=data)
    second = organiser.post("/saisie/handball-men", data=data)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert entry_of(live, live.hb).version == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).filter_by(action="result.save")) == 1


def test_provisional_then_final(organiser, live, client):
    organiser.post("/saisie/handball-men", data=podium("ales", "albi", state="provisional"))
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
    organiser.post("/saisie/handball-men", data=podium("ales", "albi", "nancy", submission_id="1"))
    organiser.post("/saisie/handball-men", data=podium("albi", "ales", "nancy", version=1, submission_id="2"))
    page = text(organiser.get("/saisie/handball-men/history"))
    assert page.count("orga@example.org") == 2
    first = db.session.scalars(sa.select(AuditEntry).filter_by(action="result.save").order_by(AuditEntry.id)).first()
    response = organiser.post(f"/saisie/handball-men/restore/{first.id}", data={"side": "after"})
    assert response.status_code == 303
    assert places(live, live.hb)[0] == (1, ("ales",))
    restore = db.session.scalars(sa.select(AuditEntry).filter_by(action="result.restore")).one()
    assert restore.before["places"][0] == [1, ["albi"]] and restore.after["version"] == 3
    assert "Corrigé le" in text(client.get("/editions/2026"))


def test_restoring_a_history_line_that_is_not_a_saved_result_is_a_clear_400(organiser, live):
    assert organiser.post("/saisie/handball-men/start", data={"version": "0"}).status_code == 303
    assert organiser.post("/saisie/handball-men", data=podium("ales", version=1)).status_code == 303
    start = db.session.scalars(sa.select(AuditEntry).filter_by(action="result.start")).one()
    save = db.session.scalars(sa.select(AuditEntry).filter_by(action="result.save")).one()
    save.before = None  # as for the first save of a result made before starts were recorded
    db.session.commit()
    for line in (start, save):  # the state before a start (no podium at all), nothing before a first save
        response = organiser.post(f"/saisie/handball-men/restore/{line.id}", data={"side": "before"})
        assert response.status_code == 400
        assert "Seule une version enregistrée de ce résultat peut être restaurée" in text(response)
    response = organiser.post(f"/saisie/handball-men/restore/{start.id}", data={"side": "after"}, follow_redirects=True)
    assert "Cette version n'a aucune équipe classée : rien à restaurer." in text(response)
    assert places(live, live.hb) == [(1, ("ales",))] and entry_of(live, live.hb).version == 2


def test_entry_page_lists_disciplines_with_their_state(organiser, live):
    organiser.post("/saisie/handball-men", data=podium("ales", state="provisional"))
    page = text(organiser.get("/saisie/"))
    assert "Handball masculin résultat provisoire" in page
    assert "Football féminin à venir" in page


def test_marking_a_discipline_in_progress(organiser, live, client):
    assert organiser.post("/saisie/swimming-open/start", data={"version": "0"}).status_code == 303
    entry = entry_of(live, live.swim)
    assert (entry.result_state, entry.version) == (ResultState.IN_PROGRESS, 1)
    assert "Swimming en cours" in text(client.get("/editions/2026"))  # the factory names the sport "Swimming"
    assert organiser.post("/saisie/swimming-open", data=podium("ales", version=1)).status_code == 303
    assert (
        organiser.post("/saisie/swimming-open/start", data={"version": "2"}, follow_redirects=True).status_code == 200
    )
    assert entry_of(live, live.swim).result_state is ResultState.FINAL


@pytest.mark.parametrize("same_submission", [False, True])
def test_two_simultaneous_saves_of_one_version_make_one_change(app, make_user, live, same_submission):
    """Two organisers (or one double tap) at the same instant: one save, then a 409 or the same redirect."""
    import threading

    from tests.conftest import login as log_in

    make_user("a@example.org")
    clients = [app.test_client(), app.test_client()]
    for c in clients:
        log_in(c, "a@example.org")
    barrier = threading.Barrier(2)
    results = [None, None]

    def save(i):
        data = podium(
            ("ales", "albi")[i], ("nancy", "douai")[i], submission_id="same" if same_submission else f"sub-{i}"
        )
        barrier.wait()
        results[i] = clients[i].post("/saisie/handball-men", data=data).status_code

    threads = [threading.Thread(target=save, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    expected = [303, 303] if same_submission else [303, 409]
    assert sorted(results) == expected
    assert entry_of(live, live.hb).version == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).filter_by(action="result.save")) == 1
    assert len(places(live, live.hb)) == 2
