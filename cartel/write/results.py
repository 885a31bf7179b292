"""A discipline's result: saved, confirmed, restored or marked in progress, each an audited change.

Operations add and flush; the caller's unit of work (cartel.write.unit) commits. Each post claims its
submission id first (cartel.write.submissions): the same post again saves nothing, even when two
arrive at once; the id reused with another content is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult

from cartel.core import podium
from cartel.core.audit import Action, ResultSnapshot
from cartel.core.clock import utcnow
from cartel.extensions import db
from cartel.models import (
    AuditEntry,
    Edition,
    EditionStatus,
    Participation,
    Placement,
    PlacementMember,
    ProgrammeEntry,
    ResultState,
    School,
)
from cartel.read.tournaments import has_tournament
from cartel.write.audit import Actor, record
from cartel.write.submissions import Submission, claim


def to_decimal(points: Fraction | None) -> Decimal | None:
    """Points as stored (two decimals)."""
    if points is None:
        return None
    return (Decimal(points.numerator) / Decimal(points.denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP)


class ValidationFailed(Exception):
    def __init__(self, problems: list[podium.Problem]) -> None:
        super().__init__(", ".join(p.code for p in problems))
        self.problems = problems


class VersionConflict(Exception):
    """The result changed since the form was loaded."""

    def __init__(self, current_version: int) -> None:
        super().__init__(f"result is now at version {current_version}")
        self.current_version = current_version


def current_teams(entry: ProgrammeEntry) -> list[podium.Team]:
    rows = db.session.execute(
        sa.select(Placement.id, Placement.place, School.slug)
        .join(PlacementMember, PlacementMember.placement_id == Placement.id)
        .join(School, School.id == PlacementMember.school_id)
        .where(Placement.edition_id == entry.edition_id, Placement.discipline_id == entry.discipline_id)
        .order_by(Placement.place, Placement.id, PlacementMember.id)
    )
    teams: dict[int, tuple[int, list[str]]] = {}
    for placement_id, place, slug in rows:
        teams.setdefault(placement_id, (place, []))[1].append(slug)
    return [podium.Team(place, tuple(slugs)) for place, slugs in teams.values()]


def result_snapshot(entry: ProgrammeEntry, teams: list[podium.Team] | None = None) -> ResultSnapshot:
    """A result as the audit trail keeps it: restorable, readable."""
    teams = current_teams(entry) if teams is None else teams
    return ResultSnapshot(entry.result_state.value, tuple((t.place, t.schools) for t in teams), entry.version)


@dataclass(frozen=True)
class SaveOutcome:
    version: int
    duplicate: bool  # the same submission had already been saved


def _conflict(entry: ProgrammeEntry) -> VersionConflict:
    """The conflict to raise, with the version committed by whoever saved first."""
    current = db.session.scalar(sa.select(ProgrammeEntry.version).where(ProgrammeEntry.id == entry.id))
    return VersionConflict(entry.version if current is None else current)


def result_submission(
    edition: Edition, entry: ProgrammeEntry, actor: Actor, key: str | None, action: Action, **content: object
) -> Submission:
    """A post changing a discipline's result: its target is the action on that result."""
    return Submission(key, actor, f"{action.value}:{edition.year}/{entry.discipline.slug}", content)


def write_result(
    edition: Edition,
    entry: ProgrammeEntry,
    teams: list[podium.Team],
    state: ResultState,
    actor: Actor,
    *,
    expected_version: int,
    action: Action,
    cause: str | None = None,
) -> int:
    """Replace a discipline's result in the session; returns the new version. ``cause``: the match of
    the discipline's tournament whose result gave these places (then none may be decided yet).

    Raises ValidationFailed (nothing written) or VersionConflict (the unit of work rolls everything
    back, so a batch of writes never lands in part).
    """
    participants = set(
        db.session.scalars(
            sa.select(School.slug)
            .join(Participation, Participation.school_id == School.id)
            .where(Participation.edition_id == edition.id)
        )
    )
    problems = podium.check_teams(teams)
    rows_problems = podium.check_rows(
        [podium.Row(t.schools) for t in teams],
        participants,
        edition_live=edition.status is EditionStatus.LIVE,
        in_programme=True,
    )
    problems += [p for p in rows_problems if p.code not in ("gap",) and not (cause and p.code == "empty")]
    if state is ResultState.PENDING:
        problems.append(podium.Problem("bad_state"))
    if cause is None and has_tournament(entry.id):  # its places come from its matches only
        problems.append(podium.Problem("has_tournament"))
    if problems:
        raise ValidationFailed(problems)
    before = result_snapshot(entry)
    now = utcnow()
    # A correction changes the places of a published result; confirming it unchanged is not one.
    corrected = entry.published_at is not None and before.places != result_snapshot(entry, teams).places
    if cause is not None:  # a tournament's places come one by one: only a place given that moves corrects it
        given = {team: place for place, team in before.places}
        now_given = {team.schools: team.place for team in teams}
        corrected = any(now_given.get(team) != place for team, place in given.items())
    changed = cast(  # an UPDATE's result is a CursorResult (Session.execute is typed as any Result)
        CursorResult[Any],
        db.session.execute(
            sa.update(ProgrammeEntry)
            .where(ProgrammeEntry.id == entry.id, ProgrammeEntry.version == expected_version)
            .values(
                version=expected_version + 1,
                result_state=state,
                updated_at=now,
                published_at=sa.func.coalesce(ProgrammeEntry.published_at, now),
                corrected_at=now if corrected else ProgrammeEntry.corrected_at,
            )
            .execution_options(synchronize_session=False)
        ),
    )
    if changed.rowcount != 1:
        raise _conflict(entry)
    for placement in db.session.scalars(
        sa.select(Placement).filter_by(edition_id=edition.id, discipline_id=entry.discipline_id)
    ):
        db.session.delete(placement)
    db.session.flush()
    ids = {
        s.slug: s.id
        for s in db.session.scalars(
            sa.select(School).where(School.slug.in_([slug for t in teams for slug in t.schools]))
        )
    }
    for team in teams:
        placement = Placement(edition_id=edition.id, discipline_id=entry.discipline_id, place=team.place)
        placement.members = [
            PlacementMember(edition_id=edition.id, discipline_id=entry.discipline_id, school_id=ids[slug])
            for slug in team.schools
        ]
        db.session.add(placement)
    db.session.refresh(entry)
    after = result_snapshot(entry, teams)
    record(
        actor,
        action,
        f"{edition.year}/{entry.discipline.slug}",
        before.to_json(),
        ResultSnapshot(after.state, after.places, after.version, cause).to_json(),
        edition_id=edition.id,
        discipline_id=entry.discipline_id,
    )
    return expected_version + 1


def save_result(
    edition: Edition,
    entry: ProgrammeEntry,
    teams: list[podium.Team],
    state: ResultState,
    actor: Actor,
    *,
    expected_version: int,
    submission_key: str | None,
    action: Action = Action.RESULT_SAVE,
    content: dict[str, object] | None = None,
) -> SaveOutcome:
    """Replace a discipline's result, if nobody changed it since ``expected_version``.

    The submission is claimed first (cartel.write.submissions): the same post again saves nothing and
    is told the version the first one made; its id reused with another result raises SubmissionReused.
    Raises ValidationFailed (nothing saved) or VersionConflict. ``content``: what the post said, when
    it is not the teams themselves (a restore says which history line).
    """
    if content is None:
        content = {"places": [[t.place, list(t.schools)] for t in teams], "state": state.value}
    claimed = claim(
        result_submission(edition, entry, actor, submission_key, action, version=expected_version, **content)
    )
    if claimed.first is not None:
        return SaveOutcome(claimed.first.version or entry.version, duplicate=True)
    version = write_result(edition, entry, teams, state, actor, expected_version=expected_version, action=action)
    claimed.settle(version, edition_id=edition.id, discipline_id=entry.discipline_id, version=version)
    return SaveOutcome(version, duplicate=False)


def restore_result(
    edition: Edition,
    entry: ProgrammeEntry,
    audit_entry: AuditEntry,
    side: str,
    actor: Actor,
    *,
    expected_version: int,
    submission_key: str | None = None,
) -> SaveOutcome:
    """Make an earlier version of a result current again (a new version, audited as a restore), if the
    result is still at ``expected_version``, the one the history page showed: restoring over a
    correction made since would undo it unseen (VersionConflict)."""
    snapshot = ResultSnapshot.from_json(audit_entry.before if side == "before" else audit_entry.after)
    if snapshot is None or not snapshot.places:
        raise ValidationFailed([podium.Problem("empty")])
    teams = [podium.Team(place, schools) for place, schools in snapshot.places]
    return save_result(
        edition,
        entry,
        teams,
        ResultState(snapshot.restored_state),
        actor,
        expected_version=expected_version,
        submission_key=submission_key,
        action=Action.RESULT_RESTORE,
        content={"line": audit_entry.id, "side": side},
    )


def confirm_result(
    edition: Edition, entry: ProgrammeEntry, actor: Actor, *, expected_version: int, submission_key: str | None
) -> SaveOutcome:
    """Mark a provisional result final, unchanged."""
    teams = current_teams(entry)
    return save_result(
        edition,
        entry,
        teams,
        ResultState.FINAL,
        actor,
        expected_version=expected_version,
        submission_key=submission_key,
        action=Action.RESULT_CONFIRM,
    )


def mark_in_progress(
    edition: Edition, entry: ProgrammeEntry, actor: Actor, *, expected_version: int, submission_key: str | None = None
) -> SaveOutcome:
    """Tell the public a discipline is being played (only before any result is saved)."""
    if edition.status is not EditionStatus.LIVE:
        raise ValidationFailed([podium.Problem("edition_not_live")])
    claimed = claim(
        result_submission(edition, entry, actor, submission_key, Action.RESULT_START, version=expected_version)
    )
    if claimed.first is not None:
        return SaveOutcome(claimed.first.version or entry.version, duplicate=True)
    changed = cast(  # an UPDATE's result is a CursorResult (Session.execute is typed as any Result)
        CursorResult[Any],
        db.session.execute(
            sa.update(ProgrammeEntry)
            .where(
                ProgrammeEntry.id == entry.id,
                ProgrammeEntry.version == expected_version,
                ProgrammeEntry.result_state == ResultState.PENDING,
            )
            .values(version=expected_version + 1, result_state=ResultState.IN_PROGRESS)
            .execution_options(synchronize_session=False)
        ),
    )
    if changed.rowcount != 1:
        raise _conflict(entry)
    record(
        actor,
        Action.RESULT_START,
        f"{edition.year}/{entry.discipline.slug}",
        ResultSnapshot(ResultState.PENDING.value, (), expected_version).to_json(),
        ResultSnapshot(ResultState.IN_PROGRESS.value, (), expected_version + 1).to_json(),
        edition_id=edition.id,
        discipline_id=entry.discipline_id,
    )
    version = expected_version + 1
    claimed.settle(version, edition_id=edition.id, discipline_id=entry.discipline_id, version=version)
    return SaveOutcome(version, duplicate=False)
