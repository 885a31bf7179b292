"""One translated label for each value of the enums the pages, workbooks and messages show."""

from __future__ import annotations

import enum

from flask_babel import gettext as _
from flask_babel import pgettext

# A joint team (schools entered together, one place) is written one way everywhere: pages, the entry
# confirmation, the import preview, workbooks, audit words. "+" reads "together", where "×" read like a
# match and "/" like a tie; it is also what the import template takes between two schools.
JOINT = " + "


def joint(names) -> str:
    """A joint team's name from its schools' names, in the team's order: "IMT Mines Albi + Mines Nancy"."""
    return JOINT.join(names)


def edition_status(status: enum.Enum | str) -> str:
    value = status.value if isinstance(status, enum.Enum) else status
    return {
        "planned": _("planned"),
        "live": _("live"),
        "finished": _("finished"),
        "cancelled": _("cancelled"),
    }[value]


def result_state(state: enum.Enum | str) -> str:
    """A result's state, as the entry pages, workbooks and imports say it (French: agrees with "résultat")."""
    value = state.value if isinstance(state, enum.Enum) else state
    return {
        "pending": pgettext("result", "to come"),
        "in_progress": pgettext("result", "in progress"),
        "provisional": pgettext("result", "provisional"),
        "final": pgettext("result", "final"),
    }[value]
