"""A discipline's result: saved, confirmed, restored or marked in progress, each an audited change.

Operations add and flush; the caller's unit of work (cartel.write.unit) commits. A submission key
already seen saves nothing (a double tap, a retry after a timeout), even when two arrive at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError

from cartel.core import podium
from cartel.core.audit import Action, ResultSnapshot
from cartel.core.clock import utcnow
from cartel.extensions import db
from cartel.models import (
    AuditEntry,
    Edition,
    EditionStatus,
    Placement,
    PlacementMember,
    ProcessedSubmission,
    ProgrammeEntry,
    ResultState,
    School,
)
from cartel.write.audit import Actor, record


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


def _already_saved(key: str | None) -> ProcessedSubmission | None:
    return db.session.get(ProcessedSubmission, key) if key else None


def _conflict(entry: ProgrammeEntry) -> VersionConflict:
    """The conflict to raise, with the version committed by whoever saved first."""
    current = db.session.scalar(sa.select(ProgrammeEntry.version).where(ProgrammeEntry.id == entry.id))
    return VersionConflict(entry.version if current is None else current)


def write_result(
    edition: Edition,
    entry: ProgrammeEntry,
    teams: list[podium.Team],
    state: ResultState,
    actor: Actor,
    *,
    expected_version: int,
    action: Action,
) -> int:
    """Replace a discipline's result in the session; returns the new version.

    Raises ValidationFailed (nothing written) or VersionConflict (the unit of work rolls everything
    back, so a batch of writes never lands in part).
    """
    participants = {p.school.slug for p in edition.participations}
    problems = podium.check_teams(teams)
    rows_problems = podium.check_rows(
        [podium.Row(t.schools) for t in teams],
        participants,
        edition_live=edition.status is EditionStatus.LIVE,
        in_programme=True,
    )
    problems += [p for p in rows_problems if p.code not in ("gap",)]
    if state is ResultState.PENDING:
        problems.append(podium.Problem("bad_state"))
    if problems:
        raise ValidationFailed(problems)
    before = result_snapshot(entry)
    now = utcnow()
    # A correction changes the places of a published result; confirming it unchanged is not one.
    corrected = entry.published_at is not None and before.places != result_snapshot(entry, teams).places
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
    record(
        actor,
        action,
        f"{edition.year}/{entry.discipline.slug}",
        before.to_json(),
        result_snapshot(entry, teams).to_json(),
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
) -> SaveOutcome:
    """Replace a discipline's result, if nobody changed it since ``expected_version``.

    A submission key already seen saves nothing (double tap, retry after a timeout). Raises
    ValidationFailed (nothing saved) or VersionConflict. The write runs in a savepoint so that a
    retry racing its first attempt is told apart from a real conflict without losing the transaction.
    """
    done = _already_saved(submission_key)
    if done is not None:
        return SaveOutcome(done.version, duplicate=True)
    try:
        with db.session.begin_nested():
            version = write_result(
                edition, entry, teams, state, actor, expected_version=expected_version, action=action
            )
            if submission_key:
                db.session.add(
                    ProcessedSubmission(
                        key=submission_key, edition_id=edition.id, discipline_id=entry.discipline_id, version=version
                    )
                )
                db.session.flush()
    except (VersionConflict, IntegrityError):
        done = _already_saved(submission_key)
        if done is not None:
            return SaveOutcome(done.version, duplicate=True)
        raise
    return SaveOutcome(version, duplicate=False)


def restore_result(
    edition: Edition, entry: ProgrammeEntry, audit_entry: AuditEntry, side: str, actor: Actor
) -> SaveOutcome:
    """Make an earlier version of a result current again (a new version, audited as a restore)."""
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
        expected_version=entry.version,
        submission_key=None,
        action=Action.RESULT_RESTORE,
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


def mark_in_progress(edition: Edition, entry: ProgrammeEntry, actor: Actor, *, expected_version: int) -> None:
    """Tell the public a discipline is being played (only before any result is saved)."""
    if edition.status is not EditionStatus.LIVE:
        raise ValidationFailed([podium.Problem("edition_not_live")])
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
