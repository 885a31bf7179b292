"""Live standings: revisions bumped by every public write, pages computed once per revision and
served with ETags and 304s, nothing personal shared, several app instances on one database."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from cartel import create_app
from cartel.core import podium, records, scoring
from cartel.extensions import db
from cartel.models import AuditEntry, Edition, EditionStatus, ProgrammeEntry, ResultState, Role, School
from cartel.words.typography import french
from cartel.write import catalogue
from cartel.write.audit import Actor, bump_revisions
from cartel.write.lifecycle import change_status
from cartel.write.penalties import add_adjustment, delete_adjustment
from cartel.write.results import VersionConflict, confirm_result, mark_in_progress, save_result
from cartel.write.unit import unit_of_work
from tests.helpers import EDITION_URLS, HISTORY_URLS, login, text

SYSTEM = Actor()


def etags(client, urls) -> dict[str, str]:
    tags = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        tags[url] = response.headers["ETag"]
    return tags


def entry(live, discipline) -> ProgrammeEntry:
    return db.session.scalar(
        sa.select(ProgrammeEntry).filter_by(edition_id=live.edition.id, discipline_id=discipline.id)
    )


def fresh(edition: Edition) -> Edition:
    db.session.expire_all()
    return db.session.get(Edition, edition.id)


def save(live, discipline, *slugs, state="final"):
    e = entry(live, discipline)
    teams = [podium.Team(k, (slug,)) for k, slug in enumerate(slugs, start=1)]
    save_result(
        fresh(live.edition),
        entry(live, discipline),
        teams,
        ResultState(state),
        SYSTEM,
        expected_version=e.version,
        submission_key=None,
    )


WRITES = {
    "result saved": lambda live: save(live, live.hb, "ales", "albi", "nancy", state="provisional"),
    "result corrected": lambda live: (save(live, live.hb, "ales", "albi"), save(live, live.hb, "albi", "ales")),
    "result confirmed": lambda live: (
        save(live, live.hb, "ales", state="provisional"),
        confirm_result(
            fresh(live.edition),
            entry(live, live.hb),
            SYSTEM,
            expected_version=entry(live, live.hb).version,
            submission_key=None,
        ),
    ),
    "discipline started": lambda live: mark_in_progress(
        fresh(live.edition), entry(live, live.fb), SYSTEM, expected_version=0
    ),
    "penalty added": lambda live: add_adjustment(fresh(live.edition), live.douai, Decimal(-2), "Late", SYSTEM),
    "penalty removed": lambda live: delete_adjustment(
        add_adjustment(fresh(live.edition), live.douai, Decimal(-2), "Late", SYSTEM), SYSTEM
    ),
    "edition closed": lambda live: change_status(fresh(live.edition), EditionStatus.FINISHED, SYSTEM),
    "school renamed": lambda live: catalogue.save_school(
        db.session.get(School, live.ales.id),
        {"slug": "ales", "name": "IMT Mines Alès (renamed)", "short_name": "Alès", "country": "FR"},
        SYSTEM,
    ),
    "programme changed": lambda live: catalogue.set_programme(
        fresh(live.edition), {live.hb: Decimal(2), live.fb: Decimal(1), live.swim: Decimal(1)}, SYSTEM
    ),
    "scheme changed": lambda live: catalogue.set_scheme(fresh(live.edition), scoring.ScoringScheme((12, 8, 4)), SYSTEM),
    "participants changed": lambda live: catalogue.set_participants(
        fresh(live.edition), {s: None for s in live.schools[:3]}, SYSTEM
    ),
}


@pytest.mark.parametrize("write", list(WRITES))
def test_every_public_write_changes_the_etags_of_what_it_shows(live, client, write):
    before_edition, before_history = etags(client, EDITION_URLS), etags(client, HISTORY_URLS)
    with unit_of_work():
        WRITES[write](live)
    after_edition, after_history = etags(client, EDITION_URLS), etags(client, HISTORY_URLS)
    assert all(before_edition[u] != after_edition[u] for u in EDITION_URLS), write
    assert all(before_history[u] != after_history[u] for u in HISTORY_URLS), write


def test_a_write_to_one_edition_leaves_the_other_editions_pages_valid(live, client, make_edition):
    make_edition(2020, None, status=EditionStatus.CANCELLED)
    db.session.commit()
    before = client.get("/editions/2020").headers["ETag"]
    WRITES["result saved"](live)
    assert client.get("/editions/2020", headers={"If-None-Match": before}).status_code == 304


def test_an_account_change_leaves_the_public_pages_valid(live, client, make_user):
    from cartel.write.accounts import create_user

    before = etags(client, ["/editions/2026", "/records"])
    create_user("new@example.org", "a long enough password", Role.ORGANISER, SYSTEM)
    assert etags(client, ["/editions/2026", "/records"]) == before


def test_unchanged_pages_answer_304_with_validators_for_proxies(live, client):
    first = client.get("/editions/2026")
    assert first.headers["Cache-Control"] == "public, max-age=2"
    assert "Cookie" in first.headers["Vary"]
    again = client.get("/editions/2026", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    WRITES["result saved"](live)
    changed = client.get("/editions/2026", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and "Handball" in text(changed)


def test_languages_have_their_own_etags(live, client):
    french = client.get("/editions/2026")
    english = client.get("/editions/2026?lang=en")
    assert french.headers["ETag"] != english.headers["ETag"]
    assert "Classement général" in text(french) and "General ranking" in text(english)
    client.set_cookie("cartel_lang", "en")
    assert client.get("/editions/2026", headers={"If-None-Match": french.headers["ETag"]}).status_code == 200
    assert client.get("/editions/2026").get_data() == english.get_data()


class EngineCalls:
    """Counts the ranking and records computations."""

    def __init__(self, monkeypatch):
        self.rankings = self.records = 0
        rank, compute = scoring.rank_schools, records.compute_records

        def counted_rank(*args, **kwargs):
            self.rankings += 1
            return rank(*args, **kwargs)

        def counted_records(*args, **kwargs):
            self.records += 1
            return compute(*args, **kwargs)

        monkeypatch.setattr(scoring, "rank_schools", counted_rank)
        monkeypatch.setattr(records, "compute_records", counted_records)


def test_a_ranking_and_the_records_are_computed_once_per_revision(live, client, make_edition, monkeypatch):
    make_edition(2025, 50, schools=live.schools, disciplines=[live.hb])
    db.session.commit()
    calls = EngineCalls(monkeypatch)
    urls = [
        "/editions/2026",
        "/editions/2026?lang=en",
        "/editions/2026/live?lang=fr",
        "/api/editions/2026",
        "/api/editions/2026/results",
        "/",
        "/?lang=en",
        "/editions",
        "/records",
        "/schools/ales",
        "/api/records",
        "/api/schools/ales",
    ]
    for url in urls * 3:
        assert client.get(url).status_code == 200, url
    # 2026 and 2025 ranked once each, the records once, whatever the pages, languages and repeats
    assert (calls.rankings, calls.records) == (2, 1)
    WRITES["result saved"](live)
    for url in urls * 3:
        client.get(url)
    assert (calls.rankings, calls.records) == (3, 2)  # only 2026 ranked again


def test_two_app_instances_on_one_database_see_each_others_writes(app, live, client):
    other = create_app({**app.config, "SERVER_NAME": None})
    reader = other.test_client()
    with other.app_context():
        assert "Handball" not in reader.get("/editions/2026/live?lang=fr").get_data(as_text=True).split("Podiums")[0]
        first = reader.get("/api/editions/2026").get_json()
    client.post("/logout")
    assert first["ranking"]["rows"][0]["points"] == 0
    with unit_of_work():
        WRITES["result saved"](live)  # written through the first instance's session
    with other.app_context():
        assert reader.get("/api/editions/2026").get_json()["ranking"]["rows"][0]["points"] == 10
        assert "Handball" in reader.get("/editions/2026/live?lang=fr").get_data(as_text=True).split("Podiums")[0]
        db.engine.dispose()


def test_logged_in_visitors_get_pages_of_their_own(live, client, make_user):
    anonymous = client.application.test_client()
    public = anonymous.get("/editions/2026")
    make_user("orga@example.org")
    login(client, "orga@example.org")
    mine = client.get("/editions/2026")
    assert mine.headers["Cache-Control"] == "private, no-store" and "ETag" not in mine.headers
    assert "Se déconnecter" in mine.get_data(as_text=True) and b"csrf_token" in mine.get_data()
    # and nothing of it reaches the next anonymous visitor
    again = anonymous.get("/editions/2026")
    assert again.get_data() == public.get_data() and b"csrf_token" not in again.get_data()
    # the live fragment has nothing personal: shared even with an organiser
    assert client.get("/editions/2026/live?lang=fr").headers["Cache-Control"] == "public, max-age=2"


def test_a_message_waiting_is_shown_once_and_never_stored(live, client, make_user):
    make_user("orga@example.org")
    login(client, "orga@example.org")
    client.post("/logout")
    shown = text(client.get("/"))
    assert "déconnecté" in shown.lower()
    assert "déconnecté" not in text(client.get("/")).lower()
    assert "déconnecté" not in text(client.application.test_client().get("/")).lower()


def test_latest_results_show_time_state_and_corrections(live, client):
    save(live, live.fb, "nancy", "ales")
    save(live, live.fb, "ales", "nancy")  # a correction
    save(live, live.hb, "ales", "albi", "nancy", state="provisional")
    page = text(client.get("/editions/2026"))
    latest = page.split("Derniers résultats")[1].split("Podiums")[0]
    assert latest.index("Handball masculin") < latest.index("Football féminin")  # newest first
    assert "définitif corrigé 1 IMT Mines Alès · 2 Mines Nancy" in latest
    assert "provisoire 1 IMT Mines Alès · 2 IMT Mines Albi · 3 Mines Nancy" in latest
    home = text(client.get("/"))
    assert "Derniers résultats" in home and "Football féminin" in home
    assert "Dernière modification :" in home and "Dernière modification :" in page  # shown without JavaScript


def test_confirming_a_provisional_result_is_not_a_correction(live, client):
    save(live, live.hb, "ales", "albi", state="provisional")
    confirm_result(
        fresh(live.edition),
        entry(live, live.hb),
        SYSTEM,
        expected_version=entry(live, live.hb).version,
        submission_key=None,
    )
    db.session.expire_all()
    assert entry(live, live.hb).corrected_at is None
    assert "corrigé" not in text(client.get("/editions/2026")).split("Podiums")[0]


def test_the_live_region_polls_its_fragment_from_the_pages_etag(live, client):
    page = client.get("/editions/2026")
    html = page.get_data(as_text=True)
    assert 'data-live="/editions/2026/live?lang=fr"' in html
    assert f'data-etag="{page.headers["ETag"].replace(chr(34), "&#34;")}"' in html
    fragment = client.get("/editions/2026/live?lang=fr", headers={"If-None-Match": page.headers["ETag"]})
    assert fragment.status_code == 304
    body = client.get("/editions/2026/live?lang=fr").get_data(as_text=True)
    assert "<html" not in body and "Classement général" in body


def test_finished_editions_do_not_poll(seeded, client):
    assert "data-live=" not in client.get("/editions/2023").get_data(as_text=True)


def test_audit_entries_of_public_writes_and_revisions_are_one_transaction(live):
    before = fresh(live.edition).revision
    with pytest.raises(VersionConflict):
        save_result(
            fresh(live.edition),
            entry(live, live.hb),
            [podium.Team(1, ("ales",))],
            ResultState.FINAL,
            SYSTEM,
            expected_version=7,
            submission_key=None,
        )
    assert fresh(live.edition).revision == before  # refused: nothing saved, nothing bumped
    WRITES["result saved"](live)
    assert fresh(live.edition).revision == before + 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 1


def test_a_lost_history_row_is_recreated_by_the_next_write(live, client):
    from cartel.models import HistoryRevision

    db.session.execute(sa.delete(HistoryRevision))
    db.session.commit()
    before = client.get("/records").headers["ETag"]
    WRITES["penalty added"](live)
    assert client.get("/records").headers["ETag"] != before


def test_a_finished_edition_on_the_home_page_says_when_it_last_changed_not_seconds_ago(seeded, client):
    page = client.get("/?lang=en")
    html = page.get_data(as_text=True)
    assert "data-live=" not in html and "s ago" not in html  # the seeds' latest edition, 2026, is finished
    assert text(page).startswith('id="main"> Last updated on ')


def test_no_ranking_is_shown_before_the_first_result(live, client, place):
    """Before anything counts every school would share the 1st rank with 0 points: a sentence instead."""
    said = "Aucun résultat pour l'instant : le classement général commence avec le premier résultat enregistré."
    for path in ("/editions/2026", "/", "/editions/2026/screen"):
        html = client.get(path).get_data(as_text=True)
        assert french(said) in html and 'class="ranking' not in html and 'class="board ranking' not in html, path
    assert 'id="ranking-chart"' not in client.get("/editions/2026").get_data(as_text=True)
    place(live.edition, live.hb, 1, live.ales)
    bump_revisions(live.edition.id)  # as every write does
    db.session.commit()
    html = client.get("/editions/2026").get_data(as_text=True)
    assert french(said) not in html and '<table class="ranking">' in html
