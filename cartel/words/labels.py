"""One translated label for each value of the enums the pages, workbooks and messages show."""

from __future__ import annotations

import enum

from flask_babel import gettext as _
from flask_babel import pgettext


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
