"""The charts of the pages say what the tables say: bars against the ranking, the race against the
rankings the public saw after each recorded result, a school's ranks, titles per school; the race is
shown only when the audit trail explains the ranking. And the pure replay against the engine."""

from __future__ import annotations

import gzip
import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from cartel.core import race, scoring
from cartel.core.podium import Team as podium_team
from cartel.extensions import db
from cartel.models import EditionStatus, ResultState
from cartel.read import published, revisions
from cartel.write.audit import Actor
from cartel.write.results import save_result
from tests.conftest import login
from tests.test_entry import podium

SVG = "{http://www.w3.org/2000/svg}"


def chart(page: str, chart_id: str) -> ET.Element | None:
    found = re.search(rf'<svg[^>]*aria-labelledby="{chart_id}-title.*?</svg>', page, re.S)
    return ET.fromstring(found.group(0)) if found else None


def api_points(client) -> dict[str, Fraction]:
    ranking = client.get("/api/editions/2026").get_json()["ranking"]["rows"]
    return {row["school"]["slug"]: Fraction(row.get("points_exact") or str(row["points"])) for row in ranking}


def test_bars_and_race_follow_the_ranking_through_the_event(client, make_user, live):
    reader = client.application.test_client()  # an anonymous visitor
    make_user("orga@example.org")
    login(client, "orga@example.org")
    seen = []  # the ranking the public saw after each write
    writes = [
        ("/saisie/handball-men", podium("ales", "albi", "nancy", submission_id="w1")),
        ("/saisie/football-women", podium(("nancy", "douai"), "ales", state="provisional", submission_id="w2")),
        ("/saisie/adjustments", {"school": "albi", "points": "-2.5", "reason": "retard"}),
        ("/saisie/handball-men", podium("albi", "ales", "nancy", version=1, submission_id="w3")),  # a correction
        ("/saisie/swimming-open", podium("douai", "ales", "nancy", "albi", tied=(4,), submission_id="w4")),
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


T0 = datetime(2026, 4, 16, 9, 0)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.tuples(
                st.just("result"),
                st.integers(1, 3),
                st.lists(st.tuples(st.integers(1, 5), st.sets(st.integers(1, 5), min_size=1, max_size=2)), max_size=4),
            ),
            st.tuples(st.just("adjust"), st.integers(1, 3), st.integers(1, 5), st.integers(-10, 10) | st.none()),
        ),
        max_size=15,
    ),
    st.sampled_from(list(scoring.TieRule)),
)
def test_the_replay_ends_where_the_engine_does(events, tie_rule):
    """Whatever the order of saves, corrections and penalties, the last step equals the ranking of the
    final state computed by the engine, and each step the ranking of the state at that moment."""
    scheme = scoring.ScoringScheme((Fraction(10), Fraction(6), Fraction(4), Fraction(2)), tie_rule, ())
    weights = {1: 1, 2: Fraction(1, 2), 3: 2}
    recorded, podiums, adjustments = [], {}, {}
    for k, event in enumerate(events):
        at = T0 + timedelta(minutes=k)
        if event[0] == "result":
            places = tuple((p, tuple(sorted(team))) for p, team in event[2])
            recorded.append(race.ResultRecorded(at, event[1], places))
            podiums[event[1]] = [scoring.Placement(event[1], p, team) for p, team in places]
        else:
            points = None if event[3] is None else Fraction(event[3])
            recorded.append(race.AdjustmentRecorded(at, event[1], event[2], points))
            if points is None:
                adjustments.pop(event[1], None)
            else:
                adjustments[event[1]] = scoring.Adjustment(event[2], points, "")
        steps = race.replay(range(1, 6), scheme, weights, recorded)
        ranking = scoring.rank_schools(
            range(1, 6), [p for ps in podiums.values() for p in ps], scheme, weights, (), adjustments.values()
        )
        assert race.ends_at(steps, {r.school: r.points for r in ranking.rows})
        assert len(steps) == k + 1


def test_a_race_that_misses_results_does_not_end_at_the_ranking():
    scheme = scoring.ScoringScheme((Fraction(10), Fraction(6)), scoring.TieRule.SHARED, ())
    steps = race.replay([1, 2], scheme, {1: 1, 2: 1}, [race.ResultRecorded(T0, 1, ((1, (1,)), (2, (2,))))])
    assert steps[-1].totals == {1: 10, 2: 6}
    assert race.ends_at(steps, {1: 10, 2: 6}) and not race.ends_at(steps, {1: 20, 2: 6})
    assert not race.ends_at((), {1: 0})


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
    assert assets and any(a.endswith(".js") for a in assets)
    sizes = {"page": len(gzip.compress(page.encode(), 6))}
    for url in assets:
        response = client.get(url)
        assert response.status_code == 200, url
        sizes[url] = len(gzip.compress(response.data, 6))
        response.close()
    assert sum(sizes.values()) < 60 * 1024, sizes
