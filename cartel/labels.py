"""One translated label for each value of the enums the pages, workbooks and messages show."""

from __future__ import annotations

import enum

from flask_babel import gettext as _


def edition_status(status: enum.Enum | str) -> str:
    value = getattr(status, "value", status)
    return {
        "planned": _("planned"),
        "live": _("live"),
        "finished": _("finished"),
        "cancelled": _("cancelled"),
    }[value]


def result_state(state: enum.Enum | str) -> str:
    value = getattr(state, "value", state)
    return {
        "pending": _("to come"),
        "in_progress": _("in progress"),
        "provisional": _("provisional"),
        "final": _("final"),
    }[value]
