"""The audit trail's vocabulary: every action an audited change can be, and the shape of what it stores.

Written by ``cartel.write`` and read back by the race (``cartel.read.published``), restores
(``cartel.write.results``) and the history in words (``cartel.words.describe``), all through this
module: one vocabulary, one place that turns it into JSON and back. Standard library only, so every
layer may read it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Action(StrEnum):
    """What an audit entry records; the part before the dot is the kind of thing changed."""

    RESULT_START = "result.start"
    RESULT_SAVE = "result.save"
    RESULT_CONFIRM = "result.confirm"
    RESULT_RESTORE = "result.restore"
    RESULT_IMPORT = "result.import"
    RESULT_MATCH = "result.match"  # places given or moved by a match of the discipline's tournament
    MATCH_SAVE = "match.save"
    SCHEDULE_SET = "match.schedule"  # an edition's schedule imported: its matches' days, times and venues
    TOURNAMENT_SETUP = "tournament.setup"
    TOURNAMENT_REMOVE = "tournament.remove"
    TOURNAMENT_DECIDE = "tournament.decide"  # the organiser's order for teams the rules leave level
    EDITION_CREATE = "edition.create"
    EDITION_UPDATE = "edition.update"
    EDITION_PARTICIPANTS = "edition.participants"
    EDITION_PROGRAMME = "edition.programme"
    EDITION_SCHEME = "edition.scheme"
    EDITION_OPEN = "edition.open"
    EDITION_CLOSE = "edition.close"
    EDITION_REOPEN = "edition.reopen"
    EDITION_CANCEL = "edition.cancel"
    ADJUSTMENT_ADD = "adjustment.add"
    ADJUSTMENT_DELETE = "adjustment.delete"
    SCHOOL_CREATE = "school.create"
    SCHOOL_UPDATE = "school.update"
    SPORT_CREATE = "sport.create"
    DISCIPLINE_CREATE = "discipline.create"
    USER_CREATE = "user.create"
    USER_UPDATE = "user.update"
    LINK_CREATE = "link.create"
    LINK_REVOKE = "link.revoke"
    EMBED_ADD = "embed.add"  # a site allowed to frame the widgets
    EMBED_REMOVE = "embed.remove"

    @property
    def entity(self) -> str:
        """The kind of thing the action changes: result, edition, adjustment, school, user, link..."""
        return self.value.split(".", 1)[0]


# Kinds of things the public never sees: changing them leaves the public revisions alone.
PRIVATE_ENTITIES = frozenset({"user", "link", "embed"})

Places = tuple[tuple[int, tuple[str, ...]], ...]


@dataclass(frozen=True)
class ResultSnapshot:
    """A discipline's result as the audit trail keeps it: its state, its places (place, school slugs of
    the team) and the version it had; enough to show it in words and to restore it."""

    state: str | None  # None in entries recorded before results had states
    places: Places = ()
    version: int | None = None
    cause: str | None = None  # the match whose result gave these places (a tournament's), when one did

    @property
    def restored_state(self) -> str:
        """The state a restore of this version gives the result: one never saved as provisional or final
        (recorded before states were, or while in progress) comes back provisional."""
        return self.state if self.state in ("provisional", "final") else "provisional"

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "version": self.version,
            "state": self.state,
            "places": [[place, list(schools)] for place, schools in sorted(self.places)],
        }
        if self.cause is not None:
            data["cause"] = self.cause
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> ResultSnapshot | None:
        """The snapshot stored as ``data`` (None when nothing was stored, as before a first result)."""
        if not data:
            return None
        places = tuple((int(place), tuple(str(s) for s in schools)) for place, schools in data.get("places") or ())
        version = data.get("version")
        state = data.get("state")
        cause = data.get("cause")
        return cls(
            None if state is None else str(state),
            places,
            None if version is None else int(version),
            None if cause is None else str(cause),
        )


@dataclass(frozen=True)
class AdjustmentSnapshot:
    """A penalty (negative points) or bonus as the audit trail keeps it; points as an exact decimal string."""

    school: str
    points: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"school": self.school, "points": self.points, "reason": self.reason}

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> AdjustmentSnapshot | None:
        if not data:
            return None
        return cls(str(data.get("school") or ""), str(data.get("points") or "0"), str(data.get("reason") or ""))
