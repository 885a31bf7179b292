"""Points as the reader's language writes them (Babel): "6,67" and "−1,5" in French, "6.67" in English.

Whole numbers stay whole; others keep up to two decimals, as the rulebooks print them."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from flask_babel import format_decimal

PATTERN = "#,##0.##"


def _decimal(value) -> Decimal:
    """Rounded to two decimals as scoring.format_points rounds (the API and workbooks agree)."""
    value = Fraction(value)
    return Decimal(value.numerator) if value.denominator == 1 else Decimal(f"{float(value):.2f}")


def points(value: Fraction | None) -> str:
    """Points for display; "—" when not known."""
    if value is None:
        return "—"
    return format_decimal(_decimal(value), format=PATTERN)


def signed_points(value: Fraction | None) -> str:
    """A penalty or bonus: always with its sign ("+2", "-1,5")."""
    if value is None:
        return "—"
    return format_decimal(_decimal(value), format=f"+{PATTERN};-{PATTERN}")


def typed(value) -> str:
    """A stored number as the reader would type it back into a form: exact, no grouping ("7,5" and
    "10000" in French), so that a page shown again and saved keeps the same points."""
    return format_decimal(Decimal(str(value)), format="0.##########")
