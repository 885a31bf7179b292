"""Bad requests get a 4xx with a message and change nothing: never a 500."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from cartel.extensions import db
from cartel.models import AuditEntry, PointAdjustment
from tests.helpers import text

HUGE = "9223372036854775808"


@pytest.mark.parametrize(
    "url",
    [
        f"/editions/{HUGE}",
        f"/api/editions/{HUGE}",
        f"/editions/{HUGE}/live",
        f"/admin/editions/{HUGE}",
        f"/admin/users/{HUGE}",
        f"/editions/{'9' * 30}",
    ],
)
def test_numbers_too_large_for_the_database_are_not_found(admin, url):
    assert admin.get(url).status_code == 404


@pytest.mark.parametrize(
    "url", [f"/admin/links/{HUGE}/revoke", f"/saisie/adjustments/{HUGE}/delete", f"/saisie/handball-men/restore/{HUGE}"]
)
def test_posts_to_ids_too_large_are_not_found(admin, url):
    assert admin.post(url).status_code == 404


@pytest.mark.parametrize("version", ["abc", "1" * 30, "-1", ""])
@pytest.mark.parametrize("action", ["", "/confirm", "/start"])
def test_absurd_versions_are_a_400(organiser, version, action):
    before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    response = organiser.post(
        f"/saisie/handball-men{action}", data={"version": version, "state": "final", "row-1-school": "ales"}
    )
    assert response.status_code == 400
    assert "Le formulaire est incomplet" in text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == before


def test_confirming_a_discipline_without_result_says_so(organiser):
    response = organiser.post("/saisie/handball-men/confirm", data={"version": "0"}, follow_redirects=True)
    assert response.status_code == 200
    assert "Il n'y a pas encore de résultat à confirmer" in text(response).replace("’", "'")


@pytest.mark.parametrize("points", ["sNaN", "NaN", "Infinity", "-inf"])
def test_penalty_points_must_be_a_number(organiser, points):
    response = organiser.post("/saisie/adjustments", data={"school": "ales", "points": points, "reason": "x"})
    assert response.status_code == 422
    assert "Indiquez un nombre de points, comme -2 ou 1,5." in text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PointAdjustment)) == 0


@pytest.mark.parametrize(
    "place_points, tie_breaks, reason",
    [
        ("1e5000", "1 2 3", "au plus 100 places"),
        ("10 6 4", "1 " + "9" * 23, "le départage liste des places distinctes de 1 à 100"),
        (" ".join(["1"] * 101), "1", "au plus 100 places"),
        ("10 6 4", "1 2 500", "le départage liste des places distinctes de 1 à 100"),
    ],
)
def test_schemes_out_of_bounds_are_refused(admin, place_points, tie_breaks, reason):
    response = admin.post(
        "/admin/editions/2026/scheme",
        data={
            "scheme-place_points": place_points,
            "scheme-tie_rule": "shared",
            "scheme-tie_breaks": tie_breaks,
            "scheme-submit": "y",
        },
    )
    assert response.status_code == 422
    assert f"Ce barème n'est pas utilisable : {reason}" in text(response).replace("&#39;", "'")


def test_delegation_sizes_that_are_not_plain_numbers_are_refused(admin):
    response = admin.post(
        "/admin/editions/2026/participants",
        data={"school-ales": "on", "size-ales": "²", "school-albi": "on", "size-albi": "9" * 40},
    )
    assert response.status_code == 422
    assert "doit être un nombre entier supérieur à 0" in text(response)


@pytest.mark.parametrize(
    "method, url, data",
    [
        ("get", "/saisie/%00", None),
        ("get", "/editions?school=a%00b", None),
        ("post", "/login", {"email": "a\x00@example.org", "password": "x"}),
        ("post", "/saisie/adjustments", {"school": "ales", "points": "-1", "reason": "late\x00"}),
    ],
)
def test_a_nul_character_anywhere_is_a_clear_400(organiser, method, url, data):
    """PostgreSQL refuses NUL in text: without this check GET /saisie/%00 was a 500 there."""
    response = getattr(organiser, method)(url, data=data)
    assert response.status_code == 400
    assert "La requête contient un caractère NUL (\\0) : retirez-le et réessayez." in text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PointAdjustment)) == 0
