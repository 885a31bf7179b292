"""The rulebook's points: a discipline's own points table (with its "and beyond" rule) instead of the
edition's table times the weight, and contests that are not sports, counted in the ranking and shown
apart; the programme form that sets the tables, and the migration that stores them (both ways)."""

from __future__ import annotations

import html
import io
import re
from decimal import Decimal
from fractions import Fraction

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from cartel.extensions import db
from cartel.models import AuditEntry, Category, Edition, Participation, ProgrammeEntry, ResultState, School, Sport
from cartel.models.sport import SportKind
from cartel.write.results import current_teams
from tests.helpers import SVG, chart, check_api, podium_form

VOLLEYBALL = [24, 18, 14, 12, 10, 8, 6, 4, 2, 1]  # the 2024 alumni rulebook


def page_text(response) -> str:
    page = response.get_data(as_text=True)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.split("<main", 1)[1])).split())


def api_points(client) -> dict[str, Fraction]:
    rows = client.get("/api/editions/2026").get_json()["ranking"]["rows"]
    return {row["school"]["slug"]: Fraction(row.get("points_exact") or str(row["points"])) for row in rows}


@pytest.fixture
def rulebook(live, make_discipline):
    """The live edition (handball, football, swimming on 10 6 4 2 x weight, shared places) plus women's
    volleyball with the rulebook's table (weight 3, which it must ignore), swimming with a short table
    whose last value goes on ("and beyond") and a DJ contest, not a sport, whose table stops at 2nd."""
    volley = make_discipline("volleyball", Category.WOMEN)
    dj = make_discipline("dj-contest")
    dj.sport.name_fr, dj.sport.kind = "Concours DJ", SportKind.CONTEST
    swim = next(e for e in live.edition.programme if e.discipline_id == live.swim.id)
    swim.place_points, swim.beyond_last = [8, 5], True
    live.edition.programme += [
        ProgrammeEntry(discipline=volley, weight=Decimal(3), place_points=VOLLEYBALL, beyond_last=True, version=0),
        ProgrammeEntry(discipline=dj, weight=Decimal(1), place_points=[5, 3], beyond_last=False, version=0),
    ]
    db.session.commit()
    live.volley, live.dj = volley, dj
    return live


RESULTS = [
    ("handball-men", podium_form("ales", "albi", "nancy", submission_id="r1")),  # 10 6 4 (x 1)
    ("volleyball-women", podium_form("nancy", "ales", "albi", "douai", tied=(4,), submission_id="r2")),  # 24 18 14 14
    ("swimming-open", podium_form("albi", "nancy", "ales", "douai", submission_id="r3")),  # 8 5, then 5 5 (beyond)
    ("dj-contest-open", podium_form("douai", "ales", "nancy", submission_id="r4")),  # 5 3, then 0
]
EXPECTED = {"ales": 10 + 18 + 5 + 3, "albi": 6 + 14 + 8, "nancy": 4 + 24 + 5 + 0, "douai": 14 + 5 + 5}


def test_the_ranking_counts_each_disciplines_own_table_and_the_contests(client, rulebook, organiser):
    """Saved through the entry form: the ranking adds the tables as written (no weight), the last value
    past a table that goes on, nothing past one that stops; the race ends at that ranking."""
    for slug, data in RESULTS:
        assert organiser.post(f"/saisie/{slug}", data=data).status_code == 303
    reader = client.application.test_client()
    assert api_points(reader) == EXPECTED
    page = reader.get("/editions/2026").get_data(as_text=True)
    lines = chart(page, "race-chart")  # drawn only when the replay ends at the ranking
    assert lines is not None
    last = {
        p.get("data-school"): Fraction(p.get("data-values").split()[-1])
        for p in lines.iter(f"{SVG}path")
        if p.get("data-school")
    }
    assert last == EXPECTED


def test_the_edition_page_shows_a_tables_points_and_the_contests_apart(client, rulebook, place):
    edition, ales, albi, nancy, douai = rulebook.edition, *rulebook.schools
    place(edition, rulebook.hb, 1, ales)
    place(edition, rulebook.volley, 1, nancy)
    place(edition, rulebook.volley, 2, ales, albi)  # a joint team: 18 for the team, 9 each
    place(edition, rulebook.dj, 1, douai)
    for entry in edition.programme:
        entry.result_state = ResultState.FINAL
    db.session.commit()
    page = client.get("/editions/2026").get_data(as_text=True)
    sports, contests = page.split("<h2>Podiums</h2>", 1)[1].split('<h2 id="contests">', 1)
    sports, contests = (" ".join(html.unescape(re.sub(r"<[^>]+>", " ", p)).split()) for p in (sports, contests))
    assert contests.startswith("Concours Des concours qui ne sont pas des sports")
    assert "Concours DJ barème propre 1 IMT Nord Europe 5 pts" in contests and "Concours DJ" not in sports
    assert "Volleyball féminin barème propre 1 Mines Nancy 24 pts 2 IMT Mines Alès + IMT Mines Albi 18 pts" in sports
    assert "Handball masculin 1 IMT Mines Alès" in sports and "Handball masculin barème propre" not in sports
    assert "IMT Mines Alès 10 pts" not in sports  # the edition's points are not shown per place
    assert "Volleyball" not in contests and "Handball" not in contests
    assert api_points(client) == {"ales": 10 + 9, "albi": 9, "nancy": 24, "douai": 5}


# --- the programme form ---------------------------------------------------------------------------


def programme_form(rulebook, **changes) -> dict:
    data = {f"discipline-{d.slug}": "on" for d in (rulebook.hb, rulebook.fb, rulebook.swim, rulebook.volley)}
    data |= {"weight-handball-men": "1", "table-volleyball-women": " ".join(map(str, VOLLEYBALL))}
    data |= {"beyond-volleyball-women": "last", "table-swimming-open": "8 5", "beyond-swimming-open": "last"}
    return data | changes


def entries(rulebook) -> dict[str, tuple]:
    db.session.expire_all()
    rows = db.session.scalars(sa.select(ProgrammeEntry).join(Edition).where(Edition.year == 2026))
    return {e.discipline.slug: (e.weight, e.place_points, e.beyond_last) for e in rows}


def test_admin_saves_a_table_as_a_rulebook_writes_it(admin, rulebook):
    response = admin.post(
        "/admin/editions/2026/programme",
        data=programme_form(
            rulebook,
            **{"table-volleyball-women": "24 18 14 12 10 8 6 4 2 1", "beyond-volleyball-women": "zero"},
            **{"table-swimming-open": "", "discipline-dj-contest-open": "on", "table-dj-contest-open": "5; 2,5"},
            **{"beyond-dj-contest-open": "last"},
        ),
    )
    assert response.status_code == 303
    assert entries(rulebook) == {
        "handball-men": (Decimal(1), None, False),
        "football-women": (Decimal(1), None, False),
        "swimming-open": (Decimal(1), None, False),  # its table emptied: the edition's points again
        "volleyball-women": (Decimal(1), VOLLEYBALL, False),
        "dj-contest-open": (Decimal(1), [5, "2.5"], True),
    }
    audit = db.session.scalars(sa.select(AuditEntry).filter_by(action="edition.programme")).one()
    assert audit.before["swimming-open"] == {"weight": "1.00", "place_points": [8, 5], "beyond": "last"}
    assert audit.after["volleyball-women"] == {"weight": "1.00", "place_points": VOLLEYBALL, "beyond": "zero"}
    assert audit.after["handball-men"] == "1.00"  # no table: as before tables of their own existed
    page = admin.get("/admin/editions/2026/programme").get_data(as_text=True)
    assert 'value="24 18 14 12 10 8 6 4 2 1"' in page and 'value="5 2,5"' in page  # as typed, in French
    english = admin.get("/admin/editions/2026/programme?lang=en").get_data(as_text=True)
    assert 'value="5 2.5"' in english


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("1 2 3", "une meilleure place ne peut pas rapporter moins de points qu'une moins bonne"),
        ("10 -1", "les points ne peuvent pas être négatifs"),
        ("24 dix", "les points sont des nombres comme 24 ou 7,5"),
        ("nan", "les points sont des nombres comme 24 ou 7,5"),
        ("inf", "les points sont des nombres comme 24 ou 7,5"),
        ("1/0", "les points sont des nombres comme 24 ou 7,5"),
        ("10001", "au plus 100 places d'au plus 10000 points chacune"),
        ("1e400", "au plus 100 places d'au plus 10000 points chacune"),
        (" ".join(["1"] * 101), "au plus 100 places d'au plus 10000 points chacune"),
        ("9" * 13, "au plus 100 places d'au plus 10000 points chacune"),
    ],
)
def test_a_bad_table_is_refused_next_to_its_field_and_nothing_is_saved(admin, rulebook, typed, reason):
    before = entries(rulebook)
    data = programme_form(rulebook, **{"weight-handball-men": "2", "table-volleyball-women": typed})
    response = admin.post("/admin/editions/2026/programme", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = re.search(r'<span class="error" id="table-volleyball-women-error">([^<]*)</span>', page)
    assert error is not None
    assert html.unescape(error.group(1)).startswith("Le barème de Volleyball féminin ne peut pas être utilisé")
    assert reason in html.unescape(error.group(1))
    assert 'aria-describedby="table-volleyball-women-error"' in page
    assert f'value="{html.escape(typed)}"' in page  # what was typed is shown again, to be corrected
    assert 'name="weight-handball-men" size="5" type="text" value="2"' in page
    assert entries(rulebook) == before  # neither the new weight nor any table was saved
    assert (
        db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).filter_by(action="edition.programme")) == 0
    )


def test_an_unknown_beyond_rule_is_refused(admin, rulebook):
    response = admin.post(
        "/admin/editions/2026/programme", data=programme_form(rulebook, **{"beyond-volleyball-women": "half"})
    )
    assert response.status_code == 422
    assert "Choisissez ce que rapportent les places au-delà du barème de Volleyball féminin" in page_text(response)


def test_the_scheme_preview_keeps_the_disciplines_own_tables(admin, rulebook, place):
    edition, ales, albi = rulebook.edition, rulebook.ales, rulebook.albi
    place(edition, rulebook.hb, 1, albi)
    place(edition, rulebook.volley, 1, ales)
    db.session.commit()
    response = admin.post(
        "/admin/editions/2026/scheme",
        data={
            "scheme-place_points": "20 10",
            "scheme-tie_rule": "shared",
            "scheme-tie_breaks": "1 2 3",
            "scheme-preview": "1",
        },
    )
    preview = page_text(response).split("Aperçu", 1)[1].split("Classement actuel", 1)[0]
    assert "IMT Mines Alès 24" in preview and "IMT Mines Albi 20" in preview  # 24 from the table, not 20 x 3


def test_admin_adds_a_contest(admin, rulebook):
    data = {
        "sport-slug": "innovation",
        "sport-name_fr": "Challenge innovation",
        "sport-name_en": "Innovation challenge",
        "sport-kind": "contest",
        "sport-submit": "1",
    }
    assert admin.post("/admin/disciplines", data=data).status_code == 303
    assert db.session.scalar(sa.select(Sport.kind).filter_by(slug="innovation")) is SportKind.CONTEST
    assert db.session.scalar(sa.select(Sport.kind).filter_by(slug="handball")) is SportKind.SPORT


# --- storage ------------------------------------------------------------------------------------


def test_migration_down_and_up_keeps_the_rows_and_gives_back_the_defaults(app, rulebook):
    """Down: the tables and kinds go, every row stays; up again: every discipline earns the edition's
    table times its weight and every sport is a sport, until set again."""
    counts = (len(entries(rulebook)), db.session.scalar(sa.select(sa.func.count()).select_from(Sport)))
    db.session.remove()
    downgrade(revision="22395b67569d")
    with db.engine.connect() as conn:
        columns = {c["name"] for c in sa.inspect(conn).get_columns("programme_entry")}
        assert "place_points" not in columns and "beyond_last" not in columns
        assert "kind" not in {c["name"] for c in sa.inspect(conn).get_columns("sport")}
        assert (
            conn.execute(sa.text("SELECT count(*) FROM programme_entry")).scalar(),
            conn.execute(sa.text("SELECT count(*) FROM sport")).scalar(),
        ) == counts
    upgrade()
    assert entries(rulebook) == {
        slug: (weight, None, False)
        for slug, weight in [
            ("handball-men", 1),
            ("football-women", 1),
            ("swimming-open", 1),
            ("volleyball-women", 3),
            ("dj-contest-open", 1),
        ]
    }
    assert set(db.session.scalars(sa.select(Sport.kind))) == {SportKind.SPORT}


def test_the_api_says_each_disciplines_kind_and_own_table(client, rulebook):

    body = check_api(client, "/api/editions/2026/results")  # as the OpenAPI document describes it
    by_slug = {r["discipline"]["slug"]: r for r in body["disciplines"]}
    assert by_slug["volleyball-women"]["points_table"] == {"places": VOLLEYBALL, "beyond": "last"}
    assert by_slug["dj-contest-open"]["points_table"] == {"places": [5, 3], "beyond": "zero"}
    assert by_slug["handball-men"]["points_table"] is None
    assert {slug: r["discipline"]["kind"] for slug, r in by_slug.items()} == {
        "handball-men": "sport",
        "football-women": "sport",
        "swimming-open": "sport",
        "volleyball-women": "sport",
        "dj-contest-open": "contest",
    }


def test_the_entry_form_and_the_template_offer_the_places_each_table_scores(organiser, rulebook, make_school):
    """Twelve schools: the edition's 10 6 4 2 scores 4 places (form: 5 rows, for a shared 4th); women's
    volleyball's table goes on past its 10 places (every place scores: 12 rows); the DJ contest's 5 3
    stops (the podium and a shared 3rd: 4 rows). The Excel template has a column per place the widest
    table scores."""
    from cartel.models import Participation

    for k in range(8):
        rulebook.edition.participations.append(Participation(school=make_school(f"school-{k}")))
    db.session.commit()

    def rows(slug: str) -> int:
        page = organiser.get(f"/saisie/{slug}").get_data(as_text=True)
        return len(set(re.findall(r'name="row-(\d+)-school"', page)))

    assert {slug: rows(slug) for slug in ("handball-men", "volleyball-women", "dj-contest-open")} == {
        "handball-men": 5,
        "volleyball-women": 12,
        "dj-contest-open": 4,
    }
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(organiser.get("/saisie/import/template.xlsx").get_data()))
    header = [c.value for c in next(r for r in book.active.iter_rows() if r[0].value == "Discipline")]
    assert header[-1] == "12"


def test_a_result_saved_before_the_scheme_shrank_is_saved_again_whole(organiser, live):
    """Five places saved under 10 6 4 2 (5 rows); the scheme then shrinks to 3 places (4 rows): the form
    still shows the five, and saving it again keeps the five."""
    extra = School(slug="extra", name="Extra", short_name="Extra", country="FR")
    db.session.add(Participation(edition=live.edition, school=extra))
    db.session.commit()
    five = podium_form("ales", "albi", "nancy", "douai", "extra", submission_id="first")
    assert organiser.post("/saisie/handball-men", data=five).status_code == 303
    live.edition.scheme.place_points = [3, 2, 1]
    db.session.commit()
    page = organiser.get("/saisie/handball-men").get_data(as_text=True)
    assert len(set(re.findall(r'name="row-(\d+)-school"', page))) == 5
    again = five | {"version": "1", "submission_id": "second"}
    assert organiser.post("/saisie/handball-men", data=again).status_code == 303
    db.session.expire_all()
    entry = next(e for e in live.edition.programme if e.discipline_id == live.hb.id)
    assert [t.schools for t in current_teams(entry)] == [("ales",), ("albi",), ("nancy",), ("douai",), ("extra",)]
