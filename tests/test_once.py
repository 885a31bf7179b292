"""Every change applied once and the answer true: a submission id belongs to one sender, one target and
one content; every write form is safe to post twice; a restore does not undo what it never saw."""

import re
import threading

import pytest
import sqlalchemy as sa

from cartel.extensions import db
from cartel.models import AuditEntry, Edition, EntryLink, PointAdjustment, School
from tests.helpers import entry_of, login, places, podium_form, text

OPEN = {"target": "live", "confirm": "yes"}  # opening an edition, confirmed


def count(model, **where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).filter_by(**where))


def hidden(response, name: str) -> str:
    return re.search(
        rf'name="{name}"[^>]*value="([^"]*)"|value="([^"]*)"[^>]*name="{name}"', text_html(response)
    ).group(1)


def text_html(response) -> str:
    return response.get_data(as_text=True)


# --- results --------------------------------------------------------------------------------------


def test_an_id_reused_with_another_podium_is_refused_and_the_form_shown_again(organiser, live):
    assert (
        organiser.post("/saisie/handball-men", data=podium_form("ales", "albi", submission_id="s1")).status_code == 303
    )
    # Back brings the old form: its id, its version, another podium
    response = organiser.post("/saisie/handball-men", data=podium_form("nancy", "douai", submission_id="s1"))
    assert response.status_code == 409
    assert "déjà été envoyé" in text(response) and "rien n'a été modifié" in text(response)
    assert places(live, live.hb) == [(1, ("ales",)), (2, ("albi",))] and entry_of(live, live.hb).version == 1
    html = text_html(response)
    assert re.search(r'name="row-1-school" value="nancy"[^>]*checked', html)  # what was typed, to save again
    assert 'name="submission_id" value="s1"' not in html and 'name="version" value="1"' in html
    assert count(AuditEntry, action="result.save") == 1


def test_an_id_of_another_disciplines_save_is_refused(organiser, live):
    organiser.post("/saisie/handball-men", data=podium_form("ales", "albi", submission_id="s1"))
    response = organiser.post("/saisie/football-women", data=podium_form("ales", "albi", submission_id="s1"))
    assert response.status_code == 409 and "Enregistré" not in text(response)
    assert places(live, live.fb) == [] and entry_of(live, live.fb).version == 0


def test_an_id_of_another_organisers_save_is_refused(app, organiser, make_user, live):
    organiser.post("/saisie/handball-men", data=podium_form("ales", "albi", submission_id="s1"))
    make_user("other@example.org")
    other = app.test_client()
    login(other, "other@example.org")
    response = other.post("/saisie/handball-men", data=podium_form("ales", "albi", submission_id="s1"))
    assert response.status_code == 409 and entry_of(live, live.hb).version == 1


def test_the_same_save_again_is_told_where_the_first_went(organiser, live):
    first = organiser.post("/saisie/handball-men", data=podium_form("ales", "albi", submission_id="s1"))
    again = organiser.post("/saisie/handball-men", data=podium_form("ales", "albi", submission_id="s1"))
    assert again.status_code == 303 and again.headers["Location"] == first.headers["Location"]
    assert count(AuditEntry, action="result.save") == 1


@pytest.mark.parametrize("url", ["/saisie/", "/saisie/handball-men", "/saisie/adjustments", "/admin/", "/login"])
def test_personal_pages_are_never_kept_by_a_cache(admin, url):
    response = admin.get(url)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "private, no-store"


def test_confirming_twice_confirms_once_and_says_so(organiser, live):
    organiser.post("/saisie/handball-men", data=podium_form("ales", "albi", state="provisional"))
    confirm = {"version": "1", "submission_id": "c1"}
    assert organiser.post("/saisie/handball-men/confirm", data=confirm).status_code == 303
    again = organiser.post("/saisie/handball-men/confirm", data=confirm, follow_redirects=True)
    assert "Cette confirmation avait déjà été reçue" in text(again)
    assert "Un autre organisateur" not in text(again)
    assert count(AuditEntry, action="result.confirm") == 1 and entry_of(live, live.hb).version == 2


def test_starting_twice_starts_once_without_blaming_another_organiser(organiser, live):
    start = {"version": "0", "submission_id": "go"}
    assert organiser.post("/saisie/handball-men/start", data=start).status_code == 303
    again = organiser.post("/saisie/handball-men/start", data=start, follow_redirects=True)
    assert "Un autre organisateur" not in text(again)
    assert count(AuditEntry, action="result.start") == 1


def test_a_restore_from_a_history_opened_before_a_correction_is_refused(app, organiser, make_user, live):
    organiser.post("/saisie/handball-men", data=podium_form("ales", "albi", submission_id="s1"))
    organiser.post("/saisie/handball-men", data=podium_form("albi", "ales", version=1, submission_id="s2"))
    history = organiser.get("/saisie/handball-men/history")
    first_save = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).first()
    form = re.search(
        rf'<form method="post" action="/saisie/handball-men/restore/{first_save.id}">(.*?)</form>',
        text_html(history),
        re.S,
    )
    posted = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(1)))
    assert posted["version"] == "2" and posted["submission_id"]
    # a colleague corrects the result meanwhile
    make_user("colleague@example.org")
    colleague = app.test_client()
    login(colleague, "colleague@example.org")
    colleague.post("/saisie/handball-men", data=podium_form("nancy", "douai", version=2, submission_id="s3"))
    response = organiser.post(f"/saisie/handball-men/restore/{first_save.id}", data=posted)
    assert response.status_code == 409 and "rien n'a été restauré" in text(response)
    assert places(live, live.hb) == [(1, ("nancy",)), (2, ("douai",))] and entry_of(live, live.hb).version == 3
    assert count(AuditEntry, action="result.restore") == 0
    # the page shown again offers the restore from the version now saved
    assert 'name="version" value="3"' in text_html(response)


def test_a_restore_posted_twice_restores_once(organiser, live):
    organiser.post("/saisie/handball-men", data=podium_form("ales", "albi", submission_id="s1"))
    organiser.post("/saisie/handball-men", data=podium_form("albi", "ales", version=1, submission_id="s2"))
    first_save = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).first()
    restore = {"side": "after", "version": "2", "submission_id": "r1"}
    assert organiser.post(f"/saisie/handball-men/restore/{first_save.id}", data=restore).status_code == 303
    again = organiser.post(f"/saisie/handball-men/restore/{first_save.id}", data=restore, follow_redirects=True)
    assert "Cette restauration avait déjà été reçue" in text(again)
    assert count(AuditEntry, action="result.restore") == 1 and entry_of(live, live.hb).version == 3


# --- penalties ------------------------------------------------------------------------------------


def test_a_penalty_posted_five_times_makes_one(app, organiser, live):
    """Twice in a row, then three times at once: one penalty, one audit line, every answer true."""
    page = organiser.get("/saisie/adjustments")
    key = hidden(page, "submission_id")
    assert key and len(key) == 32
    penalty = {"school": "albi", "kind": "penalty", "points": "2", "reason": "retard", "submission_id": key}
    assert organiser.post("/saisie/adjustments", data=penalty).status_code == 303
    again = organiser.post("/saisie/adjustments", data=penalty, follow_redirects=True)
    assert "Cet ajustement avait déjà été enregistré" in text(again)
    barrier, answers = threading.Barrier(3), []

    def post():
        barrier.wait()
        answers.append(organiser.post("/saisie/adjustments", data=penalty).status_code)

    threads = [threading.Thread(target=post) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert answers == [303, 303, 303]
    assert count(PointAdjustment) == 1 and count(AuditEntry, action="adjustment.add") == 1


def test_a_penalty_form_shown_again_after_a_mistake_keeps_working(organiser, live):
    wrong = {"school": "albi", "kind": "penalty", "points": "x", "reason": "retard", "submission_id": "p1"}
    assert organiser.post("/saisie/adjustments", data=wrong).status_code == 422
    assert organiser.post("/saisie/adjustments", data=wrong | {"points": "2"}).status_code == 303
    assert count(PointAdjustment) == 1


def test_removing_a_penalty_twice_says_it_is_gone(organiser, live, adjust):
    url = f"/saisie/adjustments/{adjust(live.edition, live.albi, -2, 'retard').id}/delete"
    removal = {"submission_id": hidden(organiser.get(url), "submission_id")}
    assert organiser.post(url, data=removal).status_code == 303
    again = organiser.post(url, data=removal, follow_redirects=True)
    assert again.status_code == 200 and "Cet ajustement avait déjà été retiré" in text(again)
    assert count(PointAdjustment) == 0 and count(AuditEntry, action="adjustment.delete") == 1


# --- set-up and catalogue -------------------------------------------------------------------------


def test_a_new_edition_posted_twice_is_created_once_and_the_repeat_goes_on(admin, live):
    form = admin.get("/admin/editions/new")
    data = {"edition-year": "2031", "edition-submission_id": hidden(form, "edition-submission_id")}
    first = admin.post("/admin/editions/new", data=data)
    again = admin.post("/admin/editions/new", data=data)
    assert first.status_code == again.status_code == 303
    assert again.headers["Location"] == first.headers["Location"] == "/admin/editions/2031/participants"
    assert count(Edition, year=2031) == 1 and count(AuditEntry, action="edition.create") == 1
    # the same id with another year: refused, nothing made
    response = admin.post("/admin/editions/new", data=data | {"edition-year": "2032"})
    assert response.status_code == 409 and count(Edition, year=2032) == 0


def test_a_new_school_posted_twice_is_added_once(admin, live):
    data = {"slug": "mines-ales-2", "name": "Deuxième", "short_name": "Deux", "country": "FR", "submission_id": "n1"}
    assert admin.post("/admin/schools", data=data).status_code == 303
    assert admin.post("/admin/schools", data=data).status_code == 303
    assert count(School, slug="mines-ales-2") == 1 and count(AuditEntry, action="school.create") == 1


def test_opening_an_edition_twice_opens_it_once(admin, live):
    live.edition.status = live.edition.status.PLANNED
    db.session.commit()
    page = admin.get("/admin/editions/2026")
    key = hidden(page, "submission_id")
    for _ in range(2):
        response = admin.post(
            "/admin/editions/2026/status", data={"target": "live", "confirm": "yes", "submission_id": key}
        )
        assert response.status_code == 303
        said = admin.get(response.headers["Location"])
        assert "L'édition est maintenant : en cours." in text(said) and "flash error" not in text_html(said)
    assert count(AuditEntry, action="edition.open") == 1


def test_the_participants_step_with_a_size_left_out_keeps_the_saved_size(admin, live):
    data = {f"school-{s.slug}": "y" for s in live.schools} | {"size-ales": "40", "submission_id": "p1"}
    assert admin.post("/admin/editions/2026/participants", data=data).status_code == 303
    data = {f"school-{s.slug}": "y" for s in live.schools} | {"submission_id": "p2"}  # no size field at all
    assert admin.post("/admin/editions/2026/participants", data=data).status_code == 303
    db.session.expire_all()
    assert {p.school.slug: p.delegation_size for p in live.edition.participations}["ales"] == 40


# --- text that fits a workbook --------------------------------------------------------------------


def test_a_control_character_in_a_reason_or_a_name_is_refused_with_a_message(admin, live):
    penalty = {"school": "albi", "kind": "penalty", "points": "2", "reason": "late\x01"}
    response = admin.post("/saisie/adjustments", data=penalty)
    assert response.status_code == 422
    assert "Retirez le caractère de contrôle invisible (U+0001) en position 5." in text(response)
    school = {"slug": "bad", "name": "Bad\x1bName", "short_name": "Bad", "country": "FR"}
    response = admin.post("/admin/schools", data=school)
    assert response.status_code == 422 and "U+001B" in text(response)
    assert count(PointAdjustment) == 0 and count(School, slug="bad") == 0
    fine = admin.post("/saisie/adjustments", data=penalty | {"reason": "late\tagain"})
    assert fine.status_code == 303  # a tab is text XML allows


def test_every_links_sheet_posted_twice_issues_one_set(admin, live):
    page = admin.get("/admin/editions/2026/organisers")
    key = hidden(page, "submission_id")
    data = {"programme": "whole", "label": "Terrain", "hours": "24", "submission_id": key}
    first = admin.post("/admin/links?edition=2026", data=data)
    again = admin.post("/admin/links?edition=2026", data=data)
    assert first.status_code == again.status_code == 200
    assert count(EntryLink) == 3  # one per discipline of the programme, once
    assert "avaient déjà été émis par ce même formulaire" in text(again)
    # the lost sheet: the form comes back with Reissue ticked and a new id, and gives one set that works
    assert re.search(r'name="reissue"[^>]*checked|checked[^>]*name="reissue"', text_html(again))
    replaced = admin.post(
        "/admin/links?edition=2026", data=data | {"reissue": "y", "submission_id": hidden(again, "submission_id")}
    )
    assert replaced.status_code == 200 and count(EntryLink) == 6
    assert count(EntryLink, revoked_at=None) == 3


def test_an_account_created_twice_is_created_once_and_the_repeat_says_saved(admin, live):
    page = admin.get("/admin/users")
    data = {
        "email": "new@example.org",
        "role": "organiser",
        "programme": "whole",
        "active": "y",
        "password": "long enough password",
        "submission_id": hidden(page, "submission_id"),
    }
    assert admin.post("/admin/users", data=data).status_code == 303
    again = admin.post("/admin/users", data=data, follow_redirects=True)
    assert again.status_code == 200 and "Compte new@example.org enregistré" in text(again)
    assert "existe déjà" not in text(again)
    assert count(AuditEntry, action="user.create") == 1


def test_revoking_a_link_twice_revokes_it_once(admin, live):
    from cartel.core.audit import Action

    page = admin.get("/admin/links?edition=2026")
    data = {"programme": "whole", "label": "Terrain", "hours": "24", "submission_id": hidden(page, "submission_id")}
    admin.post("/admin/links?edition=2026", data=data)
    link_id = db.session.scalar(sa.select(EntryLink.id).limit(1))
    assert admin.post(f"/admin/links/{link_id}/revoke").status_code == 303
    assert admin.post(f"/admin/links/{link_id}/revoke").status_code == 303
    assert count(AuditEntry, action=Action.LINK_REVOKE.value) == 1


def test_an_import_applied_twice_is_applied_once_and_says_so(organiser, live):
    from tests.test_imports import rows_by_code, template, upload

    wb = template(organiser)
    ws = wb["Résultats"]
    row = rows_by_code(ws)["swimming-open"]
    ws.cell(row=row, column=4, value="définitif")
    ws.cell(row=row, column=5, value="Mines Nancy")
    preview = text_html(upload(organiser, wb))
    apply = {"changes": hidden_value(preview, "changes"), "submission_id": hidden_value(preview, "submission_id")}
    assert organiser.post("/saisie/import/apply", data=apply).status_code == 303
    again = organiser.post("/saisie/import/apply", data=apply, follow_redirects=True)
    assert "Ces résultats avaient déjà été importés" in text(again) and "quelqu'un d'autre" not in text(again)
    assert count(AuditEntry, action="result.import") == 1


def hidden_value(html: str, name: str) -> str:
    return re.search(rf'<input [^>]*name="{name}"[^>]*>', html).group(0).split('value="')[1].split('"')[0]
