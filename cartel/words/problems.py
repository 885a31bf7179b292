"""One place for the words of every problem code: podium checks, points tables and schemes, edition steps.

The pure rules (cartel.core: podium, scoring) say *what* is wrong with a code and its
parameters; this module says it in the reader's language. Views and the Excel import both use it.
"""

from __future__ import annotations

from babel.lists import format_list
from flask_babel import get_locale
from flask_babel import gettext as _

from cartel.core import podium
from cartel.core.scoring import MAX_PLACES, MAX_POINTS, SchemeError


def podium_problem(problem: podium.Problem, names: dict[str, str]) -> str:
    """The words for each problem code of cartel.core.podium (``names``: slug → name), the same on the entry
    form (next to its row, "Place k") and in a spreadsheet import (at its cell, in the column of place k)."""
    given = problem.params.get("school", "")
    school = names.get(given, given) if isinstance(given, str) else given
    messages = {
        "edition_not_live": _("This edition is not live: results cannot be entered."),
        "not_in_programme": _("This discipline is not in the programme of the edition."),
        "empty": _("Choose at least the winner."),
        "gap": _("This place is empty but a place after it is filled."),
        "tie_without_above": _("“Ex aequo” needs a team on the place above."),
        "not_participant": _("%(school)s does not take part in this edition.", school=school),
        "twice": _(
            "%(school)s is already placed (place %(place)s).", school=school, place=problem.params.get("first_row")
        ),
        "place_inside_tie": _("Place %(place)s is inside a tie above it.", place=problem.params.get("place")),
        "bad_state": _("Choose provisional or final."),
        "has_tournament": _(
            "This discipline is played as a tournament: its places come from its matches, enter their scores."
        ),
    }
    return messages.get(problem.code, problem.code)


def _points_reason(error: Exception) -> str | None:
    reasons = {
        "empty": _("give the points of at least the 1st place"),
        "negative": _("points cannot be negative"),
        "increasing": _("a better place cannot earn fewer points than a worse one"),
        "tie_breaks": _("tie-breaks are distinct places from 1 to %(places)s, such as 1 2 3", places=MAX_PLACES),
        "too_large": _(
            "at most %(places)s places of at most %(points)s points each",
            places=MAX_PLACES,
            points=MAX_POINTS,
        ),
    }
    return reasons.get(error.code) if isinstance(error, SchemeError) else None


def scheme_problem(error: Exception) -> str:
    """Why an edition's points scheme was refused."""
    return _(
        "This scheme cannot be used: %(reason)s.",
        reason=_points_reason(error)
        or _("points are numbers such as 10 or 7.5 separated by spaces, tie-breaks whole numbers"),
    )


def table_problem(discipline_name: str, error: Exception) -> str:
    """Why a discipline's own points table was refused."""
    return _(
        "The points table of %(discipline)s cannot be used: %(reason)s.",
        discipline=discipline_name,
        reason=_points_reason(error)
        or _("points are numbers such as 24 or 7.5, best place first, separated by spaces"),
    )


def missing_part(code: str) -> str:
    """One part an edition lacks before it can be opened (codes of cartel.write.lifecycle.missing_to_open)."""
    return {
        "participants": _("the participating schools"),
        "programme": _("the programme (the disciplines contested)"),
        "scheme": _("the points scheme"),
    }.get(code, code)


def transition_problem(code: str, detail: str = "", missing: tuple[str, ...] = ()) -> str:
    """Why an edition cannot take a step of its life (the fields of cartel.write.lifecycle.TransitionRefused)."""
    if code == "incomplete":
        parts = format_list([missing_part(m) for m in missing], locale=str(get_locale()))
        return _("This edition cannot be opened yet: set %(parts)s first.", parts=parts)
    if code == "another_live":
        return _(
            "The %(year)s edition is live: close it before opening another one (the public follows one edition "
            "at a time).",
            year=detail,
        )
    reasons = {
        "no_scheme": _("set the points scheme first"),
        "published": _("this edition already has a published standing"),
    }
    reason = reasons.get(code, _("it is not a step of the edition's life"))
    return _("This change of state is not possible: %(reason)s.", reason=reason)
