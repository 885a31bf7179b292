"""The audit trail in words: every change the app records reads as a sentence in the reader's language,
with names (schools, disciplines, accounts, link labels), never slugs; the raw record stays one click
away; odd or unknown records still read as something; the page's queries do not grow with its rows."""

import re
from datetime import date
from decimal import Decimal
from html import unescape
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cartel.core import podium, scoring
from cartel.core.audit import Action
from cartel.extensions import db
from cartel.models import (
    AuditEntry,
    Category,
    Discipline,
    Edition,
    EditionStatus,
    EntryLink,
    ResultState,
    Role,
    School,
    User,
)
from cartel.models.sport import SportKind
from cartel.words.describe import DESCRIBERS, Names, describe
from cartel.words.typography import french
from cartel.write import accounts, catalogue
from cartel.write.audit import Actor, record
from cartel.write.lifecycle import change_status
from cartel.write.penalties import add_adjustment, delete_adjustment
from cartel.write.results import write_result
from tests.helpers import QueryCounter, podium_form, text

SYSTEM = Actor()


def told(response) -> list[str]:
    """Each row's sentence and its details, as the reader sees them (not the raw record)."""
    html = response.get_data(as_text=True)
    rows = []
    for cell in re.findall(r"<p data-summary>(.*?)</details>", html, flags=re.S):
        words = re.sub(r"<details.*", "", cell, flags=re.S)
        rows.append(" ".join(unescape(re.sub(r"<[^>]+>", " ", words)).split()))
    return rows


def entry_of(live, discipline):
    return next(e for e in live.edition.programme if e.discipline_id == discipline.id)


def make_every_kind_of_change(admin, live):
    """One of each action the app audits, through the same code as the pages."""
    admin_user = db.session.scalar(sa.select(User).filter_by(email="admin@example.org"))
    me = Actor(user_id=admin_user.id)
    # results: saved, started, provisional then confirmed, restored, imported
    assert admin.post("/saisie/handball-men", data=podium_form("ales", ("albi", "nancy"), "douai")).status_code == 303
    assert admin.post("/saisie/football-women/start", data={"version": "0"}).status_code == 303
    fb = podium_form("nancy", "ales", state="provisional", version=1, submission_id="fb")
    assert admin.post("/saisie/football-women", data=fb).status_code == 303
    assert admin.post("/saisie/football-women/confirm", data={"version": "2", "submission_id": "c"}).status_code == 303
    swim = entry_of(live, live.swim)
    write_result(
        live.edition,
        swim,
        [podium.Team(1, ("douai",))],
        ResultState.FINAL,
        SYSTEM,
        expected_version=swim.version,
        action=Action.RESULT_IMPORT,
    )
    db.session.commit()
    saved = db.session.scalars(sa.select(AuditEntry).filter_by(action="result.save").order_by(AuditEntry.id))
    provisional = saved.all()[-1]
    restore = {"side": "after", "version": entry_of(live, live.fb).version}
    assert admin.post(f"/saisie/football-women/restore/{provisional.id}", data=restore).status_code == 303
    # penalties and bonuses
    penalty = add_adjustment(live.edition, live.ales, Decimal("-2"), "retard", me)
    add_adjustment(live.edition, live.albi, Decimal("1.5"), "fair-play", me)
    delete_adjustment(penalty, me)
    # the catalogue and an edition's set-up
    school = catalogue.save_school(
        None, {"slug": "eurecom", "name": "EURECOM Sophia", "short_name": "EURECOM", "country": "FR"}, me
    )
    catalogue.save_school(
        school, {"slug": "eurecom", "name": "EURECOM", "short_name": "EURECOM", "city": "Biot", "country": "FR"}, me
    )
    sport = catalogue.add_sport("volley", "Volley-ball", "Volleyball", me, SportKind.SPORT)
    volley = catalogue.add_discipline(sport, Category.WOMEN, me)
    catalogue.add_sport("dj", "Concours de DJ", "DJ contest", me, SportKind.CONTEST)
    new = catalogue.save_edition(None, {"year": 2027, "number": 52}, live.ales, me)
    catalogue.save_edition(
        new, {"year": 2027, "number": 52, "start_date": date(2027, 4, 8), "end_date": date(2027, 4, 10)}, live.albi, me
    )
    catalogue.set_participants(new, {live.ales: 40, live.albi: None}, me)
    catalogue.set_participants(new, {live.ales: 45, school: 12}, me)
    catalogue.set_programme(new, {live.hb: Decimal(1), volley: Decimal(2)}, me)
    table = scoring.PointsTable((24, 18, 14), True)
    catalogue.set_programme(new, {volley: Decimal(1)}, me, {volley: table})
    catalogue.set_scheme(new, scoring.parse_scheme("10 6 4", "shared", "1 2 3"), me)
    catalogue.set_scheme(new, scoring.parse_scheme("12 8 4", "split", "1 2"), me)
    cancelled = catalogue.save_edition(None, {"year": 2028}, None, me)
    change_status(cancelled, EditionStatus.CANCELLED, me)
    # accounts and entry links
    orga = accounts.create_user("orga@example.org", "long enough pass", Role.ORGANISER, me, [live.hb])
    accounts.update_user(orga, me, role=Role.ORGANISER, active=False, disciplines=[], password="another long one")
    [(link, _token)] = accounts.issue_links(live.edition, [live.fb], "Gymnase B", 24, me)
    accounts.revoke_link(link, me)
    # the edition's life
    change_status(live.edition, EditionStatus.FINISHED, me)
    change_status(live.edition, EditionStatus.LIVE, me)
    # what a later version of the app might record: actions this one has no words for
    stored(me, "result.undo", "2026/handball-men", None, {"places": [[1, ["albi"]]]})
    stored(me, "school.merge", "ales", {"name": "A"}, {"name": "B"})
    db.session.commit()


def stored(actor, action: str, key: str, before, after) -> None:
    """An audit entry as a later version of the app might have stored it (an action unknown here)."""
    entity = action.split(".")[0]
    db.session.add(
        AuditEntry(user_id=actor.user_id, action=action, entity=entity, entity_key=key, before=before, after=after)
    )


@pytest.fixture
def trail(admin, live):
    make_every_kind_of_change(admin, live)
    return admin


def test_every_change_reads_as_a_sentence_with_names(trail):
    rows = told(trail.get("/admin/audit"))
    page = "\n".join(rows)
    expected = [
        "Résultat enregistré : Handball masculin, édition 2026 — 1er IMT Mines Alès, 2e IMT Mines Albi + Mines Nancy, "
        "3e IMT Nord Europe (définitif) Avant : aucune équipe classée (à venir)",
        "Mis en cours : Football féminin, édition 2026 État : à venir → en cours",
        "Résultat enregistré : Football féminin, édition 2026 — 1er Mines Nancy, 2e IMT Mines Alès (provisoire) "
        "Avant : aucune équipe classée (en cours)",
        "Résultat confirmé définitif : Football féminin, édition 2026 — 1er Mines Nancy, 2e IMT Mines Alès "
        "(définitif) Avant : 1er Mines Nancy, 2e IMT Mines Alès (provisoire)",
        "Résultat importé d'un fichier : Swimming, édition 2026 — 1er IMT Nord Europe (définitif) "
        "Avant : aucune équipe classée (à venir)",
        "Version antérieure restaurée : Football féminin, édition 2026 — 1er Mines Nancy, 2e IMT Mines Alès "
        "(provisoire) "
        "Avant : 1er Mines Nancy, 2e IMT Mines Alès (définitif)",
        "Pénalité ajoutée : -2 pour IMT Mines Alès, édition 2026 Motif : retard",
        "Bonus ajouté : +1,5 pour IMT Mines Albi, édition 2026 Motif : fair-play",
        "Pénalité retirée : -2 pour IMT Mines Alès, édition 2026 Motif : retard",
        "École créée : EURECOM Sophia Nom court : EURECOM Pays (code à deux lettres) : FR",
        "École modifiée : EURECOM Nom : EURECOM Sophia → EURECOM Ville : — → Biot",
        "Sport créé : Volley-ball Type : un sport",
        "Discipline créée : Volley-ball féminin",
        "Sport créé : Concours de DJ Type : un concours qui n'est pas un sport",
        "Édition 2027 créée Numéro : 52 École organisatrice : IMT Mines Alès",
        "Édition 2027 modifiée École organisatrice : IMT Mines Alès → IMT Mines Albi Premier jour : — → 8 avr. 2027 "
        "Dernier jour : — → 10 avr. 2027",
        "Écoles participantes de l'édition 2027 modifiées Ajout : IMT Mines Alès et IMT Mines Albi",
        "Écoles participantes de l'édition 2027 modifiées Ajout : EURECOM Retrait : IMT Mines Albi "
        "Délégation (IMT Mines Alès) : 40 → 45",
        "Programme de l'édition 2027 modifié Ajout : Handball masculin et Volley-ball féminin "
        "Volley-ball féminin : coefficient 2",
        "Programme de l'édition 2027 modifié Retrait : Handball masculin Volley-ball féminin : coefficient 2 → "
        "coefficient 1, barème propre 24 18 14, les places au-delà rapportent la dernière valeur du barème",
        "Barème de l'édition 2027 défini Points par place : 10 6 4 ; chaque équipe ex aequo reçoit les points de la "
        "place partagée ; départage : 1 2 3",
        "Barème de l'édition 2027 modifié Avant : 10 6 4 ; chaque équipe ex aequo reçoit les points de la place "
        "partagée ; départage : 1 2 3 Après : 12 8 4 ; les points des places couvertes sont partagés à parts égales ; "
        "départage : 1 2",
        "Édition 2028 créée",
        "Édition 2028 annulée État : à venir → annulée",
        "Compte créé : orga@example.org Rôle : organisateur Peut saisir : Handball masculin",
        "Compte modifié : orga@example.org Désactivé Peut saisir : Handball masculin → tout le programme "
        "Mot de passe changé",
        "Lien de saisie créé pour Football féminin (Gymnase B), édition 2026 Valable jusqu'au ",
        "Lien de saisie révoqué : Football féminin (Gymnase B), édition 2026",
        "Édition 2026 clôturée État : en cours → terminée Classement figé : 1er IMT Mines Alès (16 points), "
        "2e IMT Nord Europe (14 points), 3e Mines Nancy (13 points), 4e IMT Mines Albi (4,5 points)",
        "Édition 2026 rouverte État : terminée → en cours Classement figé retiré : 1er IMT Mines Alès (16 points), "
        "2e IMT Nord Europe (14 points), 3e Mines Nancy (13 points), 4e IMT Mines Albi (4,5 points)",
        "Résultat modifié : Handball masculin, édition 2026 — 1er IMT Mines Albi Avant : rien d'enregistré",
        "Autre modification : school.merge Champs modifiés : name",
    ]
    assert len(rows) == len(expected)
    for row, sentence in zip(reversed(rows), expected, strict=True):  # the page shows the newest first
        assert row.startswith(sentence), (row, sentence)
    for slug in ("handball-men", "football-women", "swimming-open", "volley", "ales", "albi", "eurecom", "douai"):
        assert not re.search(rf"\b{slug}\b", page), slug


def test_the_trail_reads_in_english_too(trail):
    page = "\n".join(told(trail.get("/admin/audit?lang=en")))
    for sentence in [
        "Result saved: Handball (men), 2026 edition — 1st IMT Mines Alès, 2nd IMT Mines Albi + Mines Nancy, "
        "3rd IMT Nord Europe (final) Before: no team placed (to come)",
        "Penalty added: -2 for IMT Mines Alès, 2026 edition Reason: retard",
        "Bonus added: +1.5 for IMT Mines Albi, 2026 edition",
        "Sport created: DJ contest Kind: a contest that is not a sport",
        "Discipline created: Volleyball (women)",
        "Edition 2027 changed Host school: IMT Mines Alès → IMT Mines Albi First day: — → Apr 8, 2027",
        "Account changed: orga@example.org Deactivated May enter: Handball (men) → the whole programme",
        "Entry link revoked: Football (women) (Gymnase B), 2026 edition",
    ]:
        assert sentence in page, sentence


def test_the_raw_record_is_one_click_away(trail):
    response = trail.get("/admin/audit")
    html = response.get_data(as_text=True)
    assert html.count('<details class="more"><summary>Tel qu\'enregistré</summary>') == len(told(response)) > 30
    raw = html.split('<details class="more">')[-1]  # the oldest row: the handball result
    assert "<code>result.save 2026/handball-men</code>" in raw and '"ales"' in raw


def test_a_revoked_link_recorded_before_its_label_was_kept_is_named_from_the_link(trail, live):
    link = db.session.scalars(sa.select(EntryLink)).one()
    record(
        SYSTEM,
        Action.LINK_REVOKE,
        link.id,
        {"revoked_at": None},
        {"revoked_at": "2026-04-16T10:00:00"},
        edition_id=live.edition.id,
        discipline_id=live.fb.id,
    )
    entry_without_discipline = {"revoked_at": None}
    record(SYSTEM, Action.LINK_REVOKE, link.id, entry_without_discipline, entry_without_discipline)
    db.session.commit()
    rows = told(trail.get("/admin/audit"))
    assert rows[0] == "Lien de saisie révoqué : Football féminin (Gymnase B), édition —"
    assert rows[1] == "Lien de saisie révoqué : Football féminin (Gymnase B), édition 2026"


def test_the_page_queries_do_not_grow_with_its_rows(trail, live):
    def queries() -> int:
        db.session.remove()
        with QueryCounter(db.engine) as counter:
            assert trail.get("/admin/audit").status_code == 200
        return counter.count

    ids = live.edition.id, live.hb.id, live.swim.id, live.douai.id
    few, rows = queries(), len(told(trail.get("/admin/audit")))
    me = Actor(user_id=db.session.scalar(sa.select(User.id).filter_by(email="admin@example.org")))
    edition, hb, swim, douai = (
        db.session.get(kind, i) for kind, i in zip((Edition, Discipline, Discipline, School), ids, strict=False)
    )
    for k in range(5):  # more of every kind, links and accounts included
        [(link, _token)] = accounts.issue_links(edition, [hb], f"Terrain {k}", 2, me)
        accounts.revoke_link(link, me)
        accounts.create_user(f"orga{k}@example.org", "long enough pass", Role.ORGANISER, me, [swim])
        add_adjustment(edition, douai, Decimal(-k - 1), "retard", me)
        catalogue.save_school(None, {"slug": f"s{k}", "name": f"École {k}", "short_name": "E", "country": "FR"}, me)
    assert len(told(trail.get("/admin/audit"))) == rows + 5 * 5
    assert queries() == few


# --- the describing functions alone ---------------------------------------------------------------


def entry(action, before=None, after=None, *, entity=None, key="k", edition_id=None, discipline_id=None):
    return SimpleNamespace(
        action=action,
        entity=entity or action.split(".")[0],
        entity_key=key,
        before=before,
        after=after,
        edition_id=edition_id,
        discipline_id=discipline_id,
    )


NAMES = Names(
    schools={"ales": "IMT Mines Alès", "nancy": "Mines Nancy"},
    disciplines={"handball-men": "Handball"},
    discipline_ids={7: "Handball"},
    years={3: 2026},
)


def test_places_ranks_and_ordinals_in_each_language(app):
    save = entry(
        "result.save",
        None,
        {"state": "provisional", "places": [[1, ["ales"]], [1, ["nancy"]], [3, ["x"]], [11, ["ales"]], [21, []]]},
        key="2026/handball-men",
    )
    with app.app_context(), app.test_request_context("/?lang=fr"):
        told_fr = describe(save, NAMES)
    with app.app_context(), app.test_request_context("/?lang=en"):
        told_en = describe(save, NAMES)
    assert told_fr.summary == french(
        "Résultat enregistré : Handball, édition 2026 — 1er IMT Mines Alès, 1er Mines Nancy, 3e x, "
        "11e IMT Mines Alès, 21e  (provisoire)"
    )
    assert told_en.summary == (
        "Result saved: Handball, 2026 edition — 1st IMT Mines Alès, 1st Mines Nancy, 3rd x, "
        "11th IMT Mines Alès, 21st  (provisional)"
    )
    assert told_fr.details == (french("Avant : rien d'enregistré"),)


@pytest.mark.parametrize(
    "odd",
    [
        entry("result.save", "not a dict", [1, 2]),
        entry("adjustment.add", None, {"school": "ales", "points": "lots"}),
        entry("adjustment.delete", None, None),
        entry("edition.close", {"status": "nope"}, {"status": "finished", "frozen": [[1]]}),
        entry("link.create", None, {"expires_at": "yesterday"}, key="²"),
        entry("user.update", None, None),
        entry("something.new", {"a": 1}, {"a": 2, "b": 3}),
    ],
)
def test_odd_or_unknown_records_still_read_as_something(app, odd):
    with app.test_request_context("/?lang=en"):
        words = describe(odd, NAMES)
    assert words.summary and "Traceback" not in words.summary


def test_an_unknown_action_says_its_code_and_the_fields_it_changed(app):
    with app.test_request_context("/?lang=en"):
        words = describe(entry("something.new", {"a": 1, "c": 0}, {"a": 2, "b": 3, "c": 0}), NAMES)
    assert words.summary == "Other change: something.new"
    assert words.details == ("Fields changed: a and b",)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    action=st.sampled_from([*DESCRIBERS, "result.undo", "x"]),
    before=JSON,
    after=JSON,
    key=st.text(max_size=12),
    edition_id=st.none() | st.integers(0, 5),
)
def test_describing_never_fails_whatever_the_record_holds(app, action, before, after, key, edition_id):
    with app.test_request_context("/?lang=fr"):
        words = describe(entry(action, before, after, key=key, edition_id=edition_id, discipline_id=7), NAMES)
    assert isinstance(words.summary, str) and words.summary
    assert all(isinstance(line, str) for line in words.details)


def test_names_come_from_the_school_table_not_the_slug(trail):
    db.session.scalar(sa.select(School).filter_by(slug="ales")).name = "Mines Alès (renamed)"
    db.session.commit()
    assert "Pénalité ajoutée : -2 pour Mines Alès (renamed), édition 2026" in "\n".join(told(trail.get("/admin/audit")))


def test_the_result_history_names_schools_states_and_what_each_line_did(admin, live):

    assert admin.post("/saisie/swimming-open/start", data={"version": "0"}).status_code == 303
    assert (
        admin.post("/saisie/swimming-open", data=podium_form(("ales", "albi"), "nancy", version=1)).status_code == 303
    )
    swim = entry_of(live, live.swim)
    write_result(
        live.edition,
        swim,
        [podium.Team(1, ("douai",))],
        ResultState.PROVISIONAL,
        SYSTEM,
        expected_version=swim.version,
        action=Action.RESULT_IMPORT,
    )
    db.session.commit()
    page = text(admin.get("/saisie/swimming-open/history"))
    assert "(importé d'un fichier)" in page and "(mis en cours)" in page
    assert "IMT Mines Alès + IMT Mines Albi" in page and "IMT Nord Europe" in page
    for slug in ("swimming-open", "ales", "albi", "douai", "in_progress", "provisional", "pending"):
        assert not re.search(rf"\b{slug}\b", page), slug


def test_a_frozen_ranking_reads_best_first_whatever_order_it_was_kept_in(app):
    reopen = entry(
        "edition.reopen",
        {"status": "finished", "frozen": [[2, "nancy", "6.00"], [None, "x", None], [1, "ales", "20/3"]]},
        {"status": "live"},
        key="2026",
        edition_id=3,
    )
    with app.test_request_context("/?lang=en"):
        words = describe(reopen, NAMES)
    assert words.summary == "Edition 2026 reopened"
    assert words.details == (
        "Status: finished → live",
        "Frozen ranking removed: 1st IMT Mines Alès (6.67 points), 2nd Mines Nancy (6 points), — x (points not known)",
    )
