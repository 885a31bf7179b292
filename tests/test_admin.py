"""Administration: lifecycle, scheme with preview, programme, participants, accounts, penalties, CLI."""

import sqlalchemy as sa

from cartel.extensions import db
from cartel.models import AuditEntry, EditionStatus, OfficialStanding, PointAdjustment, School, User
from tests.helpers import login, podium_form, text


def actions():
    return [a.action for a in db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id))]


def test_closing_freezes_the_ranking_and_reopening_is_audited(admin, live, client):
    admin.post("/saisie/handball-men", data=podium_form("ales", "albi", "nancy"))
    response = admin.post("/admin/editions/2026/status", data={"target": "finished", "confirm": "yes"})
    assert response.status_code == 303
    db.session.expire_all()
    assert live.edition.status is EditionStatus.FINISHED
    frozen = db.session.scalars(sa.select(OfficialStanding).order_by(OfficialStanding.rank)).all()
    assert [(r.school.slug, r.rank, r.points) for r in frozen][:3] == [("ales", 1, 10), ("albi", 2, 6), ("nancy", 3, 4)]
    assert all(r.source == OfficialStanding.FROZEN for r in frozen)
    assert "Aucune édition n'est en cours." in text(admin.get("/saisie/handball-men"))
    # the records now count it
    assert "IMT Mines Alès au moins 1" in text(client.get("/records"))
    response = admin.post("/admin/editions/2026/status", data={"target": "live", "confirm": "yes"})
    assert response.status_code == 303
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OfficialStanding)) == 0
    assert actions()[-2:] == ["edition.close", "edition.reopen"]
    reopen = db.session.scalars(sa.select(AuditEntry).filter_by(action="edition.reopen")).one()
    assert reopen.before["frozen"][0] == [1, "ales", "10.00"] and reopen.user.email == "admin@example.org"


def test_impossible_transition_is_refused_with_a_message(admin, live):
    response = admin.post(
        "/admin/editions/2026/status", data={"target": "cancelled", "confirm": "yes"}, follow_redirects=True
    )
    assert "Ce changement d'état n'est pas possible : ce n'est pas une étape de la vie d'une édition." in text(response)
    db.session.expire_all()
    assert live.edition.status is EditionStatus.LIVE


def test_scheme_preview_does_not_save_and_save_is_audited(admin, live):
    admin.post("/saisie/handball-men", data=podium_form("ales", "albi", "nancy"))
    response = admin.post(
        "/admin/editions/2026/scheme",
        data={
            "scheme-place_points": "25 20 15",
            "scheme-tie_rule": "split",
            "scheme-tie_breaks": "1 2 3",
            "scheme-preview": "y",
        },
    )
    assert response.status_code == 200
    page = text(response)
    preview = page.split("Aperçu : le classement avec ce barème (non enregistré)")[1].split("Classement actuel")[0]
    assert "1 IMT Mines Alès 25" in preview
    assert "1 IMT Mines Alès 10" in page.split("Classement actuel")[1]
    db.session.expire_all()
    assert live.edition.scheme.place_points == [10, 6, 4, 2]
    response = admin.post(
        "/admin/editions/2026/scheme",
        data={
            "scheme-place_points": "25 20 15",
            "scheme-tie_rule": "split",
            "scheme-tie_breaks": "1 2 3",
            "scheme-submit": "y",
        },
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert live.edition.scheme.place_points == [25, 20, 15]
    assert actions()[-1] == "edition.scheme"


def test_bad_scheme_says_why(admin, live):
    response = admin.post(
        "/admin/editions/2026/scheme",
        data={
            "scheme-place_points": "5 10",
            "scheme-tie_rule": "shared",
            "scheme-tie_breaks": "1 2 3",
            "scheme-submit": "y",
        },
    )
    assert response.status_code == 422
    assert (
        "Ce barème n'est pas utilisable : une meilleure place ne peut pas rapporter moins de points qu'une moins bonne."
    ) in text(response)
    response = admin.post(
        "/admin/editions/2026/scheme",
        data={"scheme-place_points": "ten", "scheme-tie_rule": "shared", "scheme-tie_breaks": "", "scheme-submit": "y"},
    )
    assert response.status_code == 422
    assert "les points sont des nombres comme 10 ou 7,5" in text(response)


def test_programme_weights_and_participants(admin, live):
    response = admin.post(
        "/admin/editions/2026/programme",
        data={
            "discipline-handball-men": "on",
            "weight-handball-men": "2",
            "discipline-chess-open": "on",
            "weight-chess-open": "zero",
        },
    )
    assert response.status_code == 422
    assert "Le coefficient de Chess doit être un nombre de 0,01 à 100." in text(response)
    for tiny in ("0,004", "1e-5"):  # above 0, yet stored to the hundredth as 0: it used to be saved as 1
        data = {"discipline-chess-open": "on", "weight-chess-open": tiny}
        refused = admin.post("/admin/editions/2026/programme", data=data)
        assert refused.status_code == 422 and "Le coefficient de Chess doit être" in text(refused)
    response = admin.post(
        "/admin/editions/2026/programme", data={"discipline-handball-men": "on", "weight-handball-men": "2,5"}
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert [(e.discipline.slug, float(e.weight)) for e in live.edition.programme] == [("handball-men", 2.5)]
    admin.post("/saisie/handball-men", data=podium_form("ales", "albi"))
    response = admin.post("/admin/editions/2026/participants", data={"school-albi": "on", "size-albi": "120"})
    assert response.status_code == 422
    assert "IMT Mines Alès" in text(response).split("ne peuvent pas être retirées")[1]
    response = admin.post(
        "/admin/editions/2026/participants",
        data={"school-albi": "on", "size-albi": "120", "school-ales": "on", "size-ales": "330"},
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert sorted((p.school.slug, p.delegation_size) for p in live.edition.participations) == [
        ("albi", 120),
        ("ales", 330),
    ]
    assert "edition.participants" in actions() and "edition.programme" in actions()


def test_admin_creates_a_school_and_an_organiser(admin, live):
    response = admin.post(
        "/admin/schools", data={"slug": "eurecom", "name": "EURECOM", "short_name": "EURECOM", "country": "FR"}
    )
    assert response.status_code == 303
    response = admin.post(
        "/admin/schools", data={"slug": "Bad Slug", "name": "IMT Mines Alès", "short_name": "x", "country": "France"}
    )
    assert response.status_code == 422
    page = text(response)
    assert "Minuscules, chiffres et tirets uniquement." in page and "Une autre école a déjà ce nom." in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(School)) == 5
    response = admin.post(
        "/admin/users",
        data={
            "email": "Hand@Example.org",
            "role": "organiser",
            "disciplines": ["handball-men"],
            "active": "y",
            "password": "long enough pass",
        },
    )
    assert response.status_code == 303
    user = db.session.scalar(sa.select(User).filter_by(email="hand@example.org"))
    assert [d.slug for d in user.disciplines] == ["handball-men"]
    assert user.password_hash.startswith("scrypt:")
    assert actions()[-1] == "user.create"


def test_organiser_records_a_penalty_with_its_reason(organiser, live, client):
    response = organiser.post("/saisie/adjustments", data={"school": "albi", "points": "0", "reason": "x"})
    assert response.status_code == 422 and "Un ajustement de 0 point ne change rien." in text(response)
    response = organiser.post("/saisie/adjustments", data={"school": "albi", "points": "-5", "reason": ""})
    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PointAdjustment)) == 0
    response = organiser.post(
        "/saisie/adjustments", data={"school": "albi", "points": "-5", "reason": "Comportement antisportif"}
    )
    assert response.status_code == 303
    page = text(client.get("/editions/2026"))
    assert "IMT Mines Albi : -5 — Comportement antisportif" in page  # text() puts a space after the link
    adjustment = db.session.scalars(sa.select(PointAdjustment)).one()
    assert organiser.post(f"/saisie/adjustments/{adjustment.id}/delete").status_code == 303
    assert actions()[-2:] == ["adjustment.add", "adjustment.delete"]


def test_user_create_command_prompts_for_the_password(runner, app):
    result = runner.invoke(
        args=["user", "create", "Boss@Example.org", "--role", "admin"], input="a long password\na long password\n"
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).filter_by(email="boss@example.org"))
    assert user.is_admin and user.check_password("a long password")
    result = runner.invoke(args=["user", "create", "x@example.org"], input="short\nshort\n")
    assert result.exit_code != 0 and "at least 10 characters" in result.output
    result = runner.invoke(args=["user", "create", "y@example.org", "--password", "whatever123"])
    assert result.exit_code != 0  # no password on the command line


def test_first_admin_can_log_in(runner, app, client):
    runner.invoke(args=["user", "create", "boss@example.org", "--role", "admin"], input="a long password\n" * 2)
    assert login(client, "boss@example.org", "a long password").status_code == 302
    assert client.get("/admin/").status_code == 200


def test_closing_needs_a_points_scheme(admin, live):
    live.edition.scheme = None
    db.session.commit()
    response = admin.post(
        "/admin/editions/2026/status", data={"target": "finished", "confirm": "yes"}, follow_redirects=True
    )
    assert "Ce changement d'état n'est pas possible : définissez d'abord le barème de points." in text(response)


def test_a_status_change_is_told_in_the_readers_words(admin, live):
    response = admin.post(
        "/admin/editions/2026/status", data={"target": "finished", "confirm": "yes"}, follow_redirects=True
    )
    assert "L'édition est maintenant : terminée." in text(response).replace("&#39;", "'")


def test_accounts_choose_disciplines_by_name_with_big_checkboxes_grouped_by_sport(admin, live, make_user):
    make_user("hand@example.org", disciplines=[live.hb])
    page = admin.get("/admin/users").get_data(as_text=True)
    assert '<input type="checkbox" name="disciplines" value="handball-men"> Handball masculin</label>' in page
    assert "<legend>Handball</legend>" in page and "<select" not in page.split('name="disciplines"')[0][-300:]
    shown = text(admin.get("/admin/users"))
    assert "handball-men" not in shown and "hand@example.org · organisateur · Handball masculin" in shown
    user = db.session.scalar(sa.select(User).filter_by(email="hand@example.org"))
    form = {
        "email": "hand@example.org",
        "role": "organiser",
        "active": "y",
        "disciplines": ["handball-men", "football-women"],
    }
    assert admin.post(f"/admin/users/{user.id}", data=form).status_code == 303
    db.session.expire_all()
    assert sorted(d.slug for d in user.disciplines) == ["football-women", "handball-men"]


def test_every_admin_page_leads_back_to_the_set_up_of_the_edition_in_preparation(admin, live):
    for url in ("/admin/users", "/admin/links", "/admin/schools", "/admin/audit", "/admin/embeds"):
        html = admin.get(url + "?lang=en").get_data(as_text=True)
        assert '<a href="/admin/editions/2026">← Set-up of the Cartel 2026</a>' in html, url
