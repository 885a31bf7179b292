"""The public JSON API: every endpoint's real answers validated against the OpenAPI document."""

from __future__ import annotations

import pytest

from cartel.extensions import db
from tests.helpers import DOCUMENT, check_api, login, podium_form


@pytest.fixture
def results(seeded, make_school, make_discipline, make_edition, make_user, client):
    """The seeded history plus a live edition (split ties, so some points are fractions) with results
    saved, corrected and penalised through the real routes."""
    from cartel.models import Category, EditionStatus, ResultState

    schools = [make_school(s) for s in ("north", "south", "east", "west")]
    hb, fb, swim = (
        make_discipline("hand", Category.MEN),
        make_discipline("foot", Category.WOMEN),
        make_discipline("swim"),
    )
    edition = make_edition(
        2030,
        55,
        status=EditionStatus.LIVE,
        schools=schools,
        disciplines=[hb, fb, swim],
        place_points=(10, 6, 4, 2),
        tie_rule="split",
    )
    for entry in edition.programme:
        entry.result_state, entry.version = ResultState.PENDING, 0
    db.session.commit()
    make_user("orga@example.org")
    login(client, "orga@example.org")
    # three teams share 1st: each gets (10 + 6 + 4) / 3 = 20/3
    assert client.post("/saisie/hand-men", data=podium_form("north", "south", "east", tied=(2, 3))).status_code == 303
    assert (
        client.post(
            "/saisie/foot-women", data=podium_form("west", "north", submission_id="s2", state="provisional")
        ).status_code
        == 303
    )
    assert (
        client.post("/saisie/foot-women", data=podium_form("north", "west", version=1, submission_id="s3")).status_code
        == 303
    )
    assert client.post(
        "/saisie/adjustments", data={"school": "east", "points": "-1", "reason": "Late to the field"}
    ).status_code in (302, 303)
    # the swimming relay played as a knockout of the four schools (a made-up case), one semi-final played
    from cartel.core.tournament.presets import PRESETS
    from cartel.core.tournament.shapes import Shape
    from cartel.core.tournament.spec import Spec
    from cartel.write.audit import Actor
    from cartel.write.tournaments import set_up
    from cartel.write.unit import unit_of_work

    with unit_of_work():
        swim_entry = next(e for e in edition.programme if e.discipline_id == swim.id)
        set_up(
            edition,
            swim_entry,
            Spec(Shape.KNOCKOUT, seeds=("north", "south", "east", "west")),
            PRESETS["football"],
            Actor(),
        )
    saved = client.post(
        "/saisie/swim-open/match/1-4.1",
        data={"version": 0, "submission_id": "m1", "home": "2", "away": "3", "state": "final"},
    )
    assert saved.status_code == 303
    client.post("/logout")
    return client


def test_every_endpoint_answers_as_documented(results):
    client, seen = results, set()
    editions = check_api(client, "/api/editions", seen=seen)
    assert [e["year"] for e in editions["editions"]][:3] == [2030, 2027, 2026]
    e2023 = check_api(client, "/api/editions/2023", seen=seen)
    assert e2023["winners"] == ["imt-mines-ales"] and e2023["winner_points"] == 325
    live = check_api(client, "/api/editions/2030", seen=seen)
    ranking = live["ranking"]
    assert (ranking["provisional"], ranking["final_disciplines"], ranking["total_disciplines"]) == (True, 2, 3)
    rows = {r["school"]["slug"]: r for r in ranking["rows"]}
    assert (rows["north"]["points"], rows["north"]["points_exact"]) == (16.67, "50/3")  # 20/3 + 10
    assert (rows["east"]["points"], rows["east"]["points_exact"]) == (5.67, "17/3")  # 20/3 - 1
    assert rows["east"]["adjustment_points"] == -1 and rows["east"]["adjustment_points_exact"] is None
    assert rows["north"]["medals"] == {"first": 2, "second": 0, "third": 0}
    assert live["adjustments"] == [
        {
            "school": "east",
            "points": -1,
            "points_exact": None,
            "reason": "Late to the field",
            "created_at": live["adjustments"][0]["created_at"],
        }
    ]
    results_ = check_api(client, "/api/editions/2030/results", seen=seen)
    by_slug = {d["discipline"]["slug"]: d for d in results_["disciplines"]}
    assert by_slug["hand-men"]["places"] == [
        {"place": 1, "schools": ["north"]},
        {"place": 1, "schools": ["south"]},
        {"place": 1, "schools": ["east"]},
    ]
    assert by_slug["swim-open"]["state"] == "in_progress" and by_slug["swim-open"]["places"] == []
    latest = check_api(client, "/api/editions/2030/latest", seen=seen)
    assert [(r["discipline"]["slug"], r["state"], r["corrected"]) for r in latest["results"]] == [
        ("foot-women", "final", True),
        ("hand-men", "final", False),
    ]
    assert len(check_api(client, "/api/editions/2030/latest?limit=1")["results"]) == 1
    schools = check_api(client, "/api/schools", seen=seen)
    assert "imt-mines-ales" in {s["slug"] for s in schools["schools"]}
    ales = check_api(client, "/api/schools/imt-mines-ales", seen=seen)
    assert ales["titles"] == {"count": 32, "at_least": True}
    assert ales["best_points"]["points"] == 325
    records = check_api(client, "/api/records", seen=seen)
    assert records["record_points"]["points"] == 325
    assert check_api(client, "/api/records?as_of=2023")["titles"][0] == {
        "school": "imt-mines-ales",
        "count": 31,
        "at_least": False,
    }
    played = check_api(client, "/api/editions/2030/tournaments", seen=seen)
    assert played["tournaments"] == [
        {
            "discipline": {"slug": "swim-open", "sport": "swim", "category": "open"},
            "shape": "knockout",
            "teams": 4,
            "matches": 4,
            "played": 1,
            "finished": False,
        }
    ]
    swim = check_api(client, "/api/editions/2030/tournaments/swim-open", seen=seen)
    matches = {m["code"]: m for m in swim["matches"]}
    assert matches["1-4.1"]["home"] == ["north"] and matches["1-4.1"]["score"]["winner"] == "away"
    assert matches["1-4.1"]["score"]["home"]["score"] == 2 and matches["1-2"]["home"] == ["west"]
    assert matches["1-2"]["away"] is None and swim["places"] == [] and swim["rules"]["match_points"] == [3, 1, 0, 0]
    check_api(client, "/api/editions/2030/tournaments/hand-men", status=404)
    plan = check_api(client, "/api/editions/2030/programme?school=north", seen=seen)
    assert [(m["code"], m["score"]) for m in plan["latest"]] == [
        ("1-4.1", {"home": 2, "away": 3, "forfeit": None, "winner": None})
    ]
    assert plan["school"] == "north" and [m["code"] for m in plan["upcoming"]] == ["3-4"]  # its next match
    etag = client.get("/api/editions/2030/tournaments/swim-open").headers["ETag"]
    check_api(client, "/api/editions/2030/tournaments/swim-open", status=304, **{"If-None-Match": etag})
    assert client.get("/api/openapi.json").get_json() == DOCUMENT
    seen.add("/api/openapi.json")
    assert seen == set(DOCUMENT["paths"])


@pytest.mark.parametrize(
    "url, status, message",
    [
        ("/api/editions/1899", 404, "No edition in 1899."),
        ("/api/editions/99999999999999999999999", 404, "No such endpoint: /api/openapi.json lists them."),
        ("/api/editions/1899/results", 404, "No edition in 1899."),
        ("/api/editions/2023/latest?limit=0", 400, "Parameter limit must be a whole number from 1 to 10, not '0'."),
        ("/api/editions/2023/latest?limit=ten", 400, "Parameter limit must be a whole number from 1 to 10, not 'ten'."),
        ("/api/schools/nobody", 404, "No school 'nobody'."),
        (
            "/api/records?as_of=1990",
            400,
            "Parameter as_of must be the year of a finished edition (2018–2026), not 1990.",
        ),
        ("/api/records?as_of=x", 400, "Parameter as_of must be a whole number from 0 to 9999, not 'x'."),
        ("/api/records?as_of=²", 400, "Parameter as_of must be a whole number from 0 to 9999, not '²'."),
        (
            "/api/editions/2023/latest?limit=" + "9" * 40,
            400,
            f"Parameter limit must be a whole number from 1 to 10, not '{'9' * 20}'.",
        ),
    ],
)
def test_errors_are_json_with_a_message(seeded, client, url, status, message):
    body = check_api(client, url, status)
    assert body == {"error": {"status": status, "message": message}}


def test_unknown_api_paths_are_json_too(seeded, client):
    response = client.get("/api/nothing-here")
    assert response.status_code == 404 and response.mimetype == "application/json"
    assert "openapi.json" in response.get_json()["error"]["message"]


def test_conditional_requests_and_cors(seeded, client):
    first = client.get("/api/editions/2023", headers={"Origin": "https://example.org"})
    assert first.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in first.headers["Access-Control-Expose-Headers"]
    check_api(client, "/api/editions/2023", 304, **{"If-None-Match": first.headers["ETag"]})
    preflight = client.options(
        "/api/editions/2023",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "If-None-Match",
        },
    )
    assert preflight.status_code == 200
    assert "If-None-Match" in preflight.headers["Access-Control-Allow-Headers"]
