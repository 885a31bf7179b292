"""The OpenAPI document is valid, and the API writes points as the pages round them (the API's answers
against the document: tests/test_api.py)."""

from __future__ import annotations

from fractions import Fraction

import pytest
from openapi_spec_validator import validate as validate_spec

from cartel.core.scoring import format_points
from cartel.web.api import serialize
from tests.helpers import DOCUMENT


def test_the_document_is_valid_openapi_3_1():
    assert DOCUMENT["openapi"].startswith("3.1")
    validate_spec(DOCUMENT)


@pytest.mark.parametrize(
    "value, number, exact",
    [
        (Fraction(325), 325, None),
        (Fraction(31, 2), 15.5, None),
        (Fraction(50, 3), 16.67, "50/3"),
        (Fraction(-7, 4), -1.75, None),
        (Fraction(1, 8), 0.12, "1/8"),
        (None, None, None),
    ],
)
def test_points_are_rounded_as_the_pages_round_them_with_the_exact_fraction_when_lossy(value, number, exact):
    assert serialize.with_points("points", value) == {"points": number, "points_exact": exact}
    if value is not None:
        assert float(format_points(value)) == number  # the number the pages show
