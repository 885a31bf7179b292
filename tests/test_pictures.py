"""The charts of the pages say what the tables say: bars against the ranking, the race against the
rankings the public saw after each recorded result, a school's ranks, titles per school; the race is
shown only when the audit trail explains the ranking. (The pure replay against the engine:
tests/unit/test_pictures.py.)"""

from __future__ import annotations

import gzip
import re
from fractions import Fraction

from cartel.core.podium import Team as podium_team
from cartel.extensions import db
from cartel.models import EditionStatus, ResultState
from cartel.read import published, revisions
from cartel.write.audit import Actor
from cartel.write.results import save_result
from tests.helpers import SVG, chart, login, podium_form


def api_points(client) -> dict[str, Fraction]:
    ranking = client.get("/api/editions/2026").get_json()["ranking"]["rows"]
    return {row["school"]["slug"]: Fraction(row.get("points_exact") or str(row["points"])) for row in ranking}


def test_bars_and_race_follow_the_ranking_through_the_event(client, make_user, live):
    reader = client.application.test_client()  # an anonymous visitor
    make_user("orga@example.org")
    login(client, "orga@example.org")
    seen = []  # the ranking the public saw after each write
    writes = [
        ("/saisie/handball-men", podium_form("ales", "albi", "nancy", submission_id="w1")),
        ("/saisie/football-women", podium_form(("nancy", "douai"), "ales", state="provisional", submission_id="w2")),
        ("/saisie/adjustments", {"school": "albi", "points": "-2.5", "reason": "retard"}),
        ("/saisie/handball-men", podium_form("albi", "ales", "nancy", version=1, submission_id="w3")),  # a correction
        ("/saisie/swimming-open", podium_form("douai", "ales", "nancy", "albi", tied=(4,), submission_id="w4")),
    ]
    for url, data in writes:
        assert client.post(url, data=data).status_code == 303
        seen.append(api_points(reader))
    page = reader.get("/editions/2026").get_data(as_text=True)

    bars = chart(page, "ranking-chart")
    drawn = {
        b.get("data-school"): Fraction(b.get("data-points")) for b in bars.iter(f"{SVG}rect") if b.get("data-school")
    }
    assert drawn == seen[-1] and len(drawn) == 4

    lines = chart(page, "race-chart")
    values = {
        p.get("data-school"): [Fraction(v) for v in p.get("data-values").split()]
        for p in lines.iter(f"{SVG}path")
        if p.get("data-school")
    }
    for school, totals in values.items():
        assert totals == [0] + [ranking[school] for ranking in seen], school  # from 0, then after each result


def test_no_race_when_the_trail_does_not_explain_the_ranking(seeded, client):
    page = client.get("/editions/2023").get_data(as_text=True)  # seeded: no recorded result
    assert chart(page, "race-chart") is None


def test_a_schools_chart_gives_its_ranks_and_the_records_chart_its_titles(seeded, client):
    page = client.get("/schools/imt-mines-ales").get_data(as_text=True)
    dots = {int(c.get("data-year")): c.get("data-rank") for c in chart(page, "history-chart").iter(f"{SVG}circle")}
    history = published.history(revisions.history_revision())
    school = published.school_by_slug(history, "imt-mines-ales")
    table = {s.edition.year: r.rank for s, r in published.school_rows(history, school) if r and r.rank}
    assert {y: int(r) for y, r in dots.items() if r} == table and table[2023] == 1

    page = client.get("/records").get_data(as_text=True)
    rows = {g.get("data-school"): int(g.get("data-titles")) for g in chart(page, "titles-chart").iter(f"{SVG}g")}
    records = published.records(revisions.history_revision())
    counts = {history.schools[t.school].slug: t.count for t in records.titles}
    assert rows == counts and rows["imt-mines-ales"] >= 32
    # the chart writes the count as the table does: "au moins 32" where an edition's winner is not known
    ales = next(g for g in chart(page, "titles-chart").iter(f"{SVG}g") if g.get("data-school") == "imt-mines-ales")
    assert [t.text for t in ales.iter(f"{SVG}text")][-1] == f"au moins {rows['imt-mines-ales']}"


def test_the_edition_page_with_its_charts_stays_under_60_kb_compressed(
    client, make_school, make_discipline, make_edition
):
    """HTML + CSS + JS as a phone downloads them (gzip, as nginx serves them), charts included, for an
    edition the size of a real one: 12 schools, 20 disciplines, every result recorded and one corrected."""
    schools = [make_school(f"school-{k}", f"École des Mines numéro {k}") for k in range(12)]
    disciplines = [make_discipline(f"sport-{k}") for k in range(20)]
    edition = make_edition(
        2026, 51, status=EditionStatus.LIVE, schools=schools, disciplines=disciplines, place_points=(10, 6, 4, 2)
    )
    for entry in edition.programme:
        entry.result_state, entry.version = ResultState.PENDING, 0
    db.session.commit()
    for k, entry in enumerate([*edition.programme, edition.programme[0]]):
        teams = [podium_team(p, (schools[(k + p) % 12].slug,)) for p in (1, 2, 3, 4)]
        save_result(
            edition, entry, teams, ResultState.FINAL, Actor(), expected_version=entry.version, submission_key=None
        )
    db.session.commit()
    page = client.get("/editions/2026").get_data(as_text=True)
    assert chart(page, "ranking-chart") is not None and chart(page, "race-chart") is not None
    assets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page) + re.findall(r'<script src="([^"]+)"', page)
    assert assets and any(".js?v=" in a for a in assets)
    sizes = {"page": len(gzip.compress(page.encode(), 6))}
    for url in assets:
        response = client.get(url)
        assert response.status_code == 200, url
        sizes[url] = len(gzip.compress(response.data, 6))
        response.close()
    assert sum(sizes.values()) < 60 * 1024, sizes
