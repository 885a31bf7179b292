"""The write side: every change goes through one of these functions, is audited, and commits once.

Views validate a form, call one operation, flash and redirect.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from cartel import podium, revisions
from cartel.clock import utcnow
from cartel.extensions import db
from cartel.models import (
    AuditEntry,
    Edition,
    EditionStatus,
    OfficialStanding,
    Placement,
    PlacementMember,
    PointAdjustment,
    ProcessedSubmission,
    ProgrammeEntry,
    ResultState,
    School,
)
from cartel.standings import build_standing, load_editions


def to_decimal(points: Fraction | None) -> Decimal | None:
    """Points as stored (two decimals)."""
    if points is None:
        return None
    return (Decimal(points.numerator) / Decimal(points.denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP)


@dataclass(frozen=True)
class Actor:
    """Who makes a change: an account, or an entry link."""

    user_id: int | None = None
    link_id: int | None = None


class ValidationFailed(Exception):
    def __init__(self, problems: list[podium.Problem]):
        super().__init__(", ".join(p.code for p in problems))
        self.problems = problems


class VersionConflict(Exception):
    """The result changed since the form was loaded."""

    def __init__(self, current_version: int):
        super().__init__(f"result is now at version {current_version}")
        self.current_version = current_version


class TransitionRefused(Exception):
    """A lifecycle step that cannot be taken; ``code`` says why (not_a_step, no_scheme, published,
    incomplete with the ``missing`` parts, another_live with the live edition's year in ``detail``)."""

    def __init__(self, code: str, detail: str = "", missing: tuple[str, ...] = ()):
        super().__init__(f"{code}: {detail or ', '.join(missing)}" if detail or missing else code)
        self.code, self.detail, self.missing = code, detail, missing


def missing_to_open(edition: Edition) -> tuple[str, ...]:
    """What an edition lacks before it can be opened: participants, programme, scheme (in that order)."""
    missing = []
    if not edition.participations:
        missing.append("participants")
    if not edition.programme:
        missing.append("programme")
    if edition.scheme is None:
        missing.append("scheme")
    return tuple(missing)


def live_edition_other_than(edition: Edition) -> Edition | None:
    """The edition the public follows now, if it is not this one: one live edition at a time."""
    return db.session.scalar(
        sa.select(Edition).where(Edition.status == EditionStatus.LIVE, Edition.id != edition.id).limit(1)
    )


# Audited entities the public never sees: changing them leaves the public revisions alone.
PRIVATE_ENTITIES = frozenset({"user", "link"})


def audit(
    actor: Actor,
    action: str,
    entity: str,
    key: str,
    before=None,
    after=None,
    *,
    edition_id: int | None = None,
    discipline_id: int | None = None,
) -> None:
    """Record a change in the audit trail and, in the same transaction, bump the public revisions.

    A change tied to an edition bumps that edition; one that is not (a school, sport or discipline,
    shown on every edition's pages) bumps every edition. Both bump the history revision.
    """
    if entity not in PRIVATE_ENTITIES:
        revisions.bump(edition_id)
    db.session.add(
        AuditEntry(
            user_id=actor.user_id,
            link_id=actor.link_id,
            action=action,
            entity=entity,
            entity_key=str(key),
            before=before,
            after=after,
            edition_id=edition_id,
            discipline_id=discipline_id,
        )
    )


# --- results ----------------------------------------------------------------------------------


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


def result_snapshot(entry: ProgrammeEntry, teams: list[podium.Team] | None = None) -> dict:
    """A result as stored in the audit trail: restorable, readable."""
    teams = current_teams(entry) if teams is None else teams
    return {
        "version": entry.version,
        "state": entry.result_state.value,
        "places": [[t.place, list(t.schools)] for t in sorted(teams, key=lambda t: (t.place, t.schools))],
    }


@dataclass(frozen=True)
class SaveOutcome:
    version: int
    duplicate: bool  # the same submission had already been saved


def _already_saved(key: str | None) -> ProcessedSubmission | None:
    return db.session.get(ProcessedSubmission, key) if key else None


def write_result(
    edition: Edition,
    entry: ProgrammeEntry,
    teams: list[podium.Team],
    state: ResultState,
    actor: Actor,
    *,
    expected_version: int,
    action: str,
) -> int:
    """Replace a discipline's result in the session, without committing; returns the new version.

    Raises ValidationFailed (nothing written) or VersionConflict (the whole transaction is rolled
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
    corrected = entry.published_at is not None and before["places"] != result_snapshot(entry, teams)["places"]
    changed = db.session.execute(
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
    )
    if changed.rowcount != 1:
        db.session.rollback()
        db.session.refresh(entry)
        raise VersionConflict(entry.version)
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
    audit(
        actor,
        action,
        "result",
        f"{edition.year}/{entry.discipline.slug}",
        before,
        result_snapshot(entry, teams),
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
    action: str = "result.save",
) -> SaveOutcome:
    """Replace a discipline's result, if nobody changed it since ``expected_version``.

    A submission key already seen saves nothing (double tap, retry after a timeout). Raises
    ValidationFailed (nothing saved) or VersionConflict.
    """
    done = _already_saved(submission_key)
    if done is not None:
        return SaveOutcome(done.version, duplicate=True)
    try:
        version = write_result(edition, entry, teams, state, actor, expected_version=expected_version, action=action)
    except VersionConflict:
        done = _already_saved(submission_key)
        if done is not None:
            return SaveOutcome(done.version, duplicate=True)
        raise
    if submission_key:
        db.session.add(
            ProcessedSubmission(
                key=submission_key, edition_id=edition.id, discipline_id=entry.discipline_id, version=version
            )
        )
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        done = _already_saved(submission_key)
        if done is not None:
            return SaveOutcome(done.version, duplicate=True)
        raise
    return SaveOutcome(version, duplicate=False)


def restore_result(
    edition: Edition, entry: ProgrammeEntry, audit_entry: AuditEntry, side: str, actor: Actor
) -> SaveOutcome:
    """Make an earlier version of a result current again (a new version, audited as a restore)."""
    snapshot = audit_entry.before if side == "before" else audit_entry.after
    teams = [podium.Team(place, tuple(slugs)) for place, slugs in snapshot["places"]]
    state = ResultState(snapshot["state"])
    if state is ResultState.PENDING or not teams:
        state = ResultState.PROVISIONAL if teams else state
    if not teams:
        raise ValidationFailed([podium.Problem("empty")])
    return save_result(
        edition,
        entry,
        teams,
        state,
        actor,
        expected_version=entry.version,
        submission_key=None,
        action="result.restore",
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
        action="result.confirm",
    )


def mark_in_progress(edition: Edition, entry: ProgrammeEntry, actor: Actor, *, expected_version: int) -> None:
    """Tell the public a discipline is being played (only before any result is saved)."""
    if edition.status is not EditionStatus.LIVE:
        raise ValidationFailed([podium.Problem("edition_not_live")])
    changed = db.session.execute(
        sa.update(ProgrammeEntry)
        .where(
            ProgrammeEntry.id == entry.id,
            ProgrammeEntry.version == expected_version,
            ProgrammeEntry.result_state == ResultState.PENDING,
        )
        .values(version=expected_version + 1, result_state=ResultState.IN_PROGRESS)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:
        db.session.rollback()
        db.session.refresh(entry)
        raise VersionConflict(entry.version)
    audit(
        actor,
        "result.start",
        "result",
        f"{edition.year}/{entry.discipline.slug}",
        {"state": ResultState.PENDING.value, "version": expected_version},
        {"state": ResultState.IN_PROGRESS.value, "version": expected_version + 1, "places": []},
        edition_id=edition.id,
        discipline_id=entry.discipline_id,
    )
    db.session.commit()


# --- edition lifecycle ---------------------------------------------------------------------------

TRANSITIONS = {
    (EditionStatus.PLANNED, EditionStatus.LIVE): "edition.open",
    (EditionStatus.LIVE, EditionStatus.FINISHED): "edition.close",
    (EditionStatus.FINISHED, EditionStatus.LIVE): "edition.reopen",
    (EditionStatus.PLANNED, EditionStatus.CANCELLED): "edition.cancel",
}


def change_status(edition: Edition, target: EditionStatus, actor: Actor) -> None:
    """planned -> live -> finished (closing freezes the ranking); finished -> live reopens it."""
    action = TRANSITIONS.get((edition.status, target))
    if action is None:
        raise TransitionRefused("not_a_step", f"{edition.status.value} -> {target.value}")
    before = {"status": edition.status.value}
    after = {"status": target.value}
    if action in ("edition.open", "edition.reopen"):
        if missing := missing_to_open(edition):
            raise TransitionRefused("incomplete", missing=missing)
        if (other := live_edition_other_than(edition)) is not None:
            raise TransitionRefused("another_live", str(other.year))
    if action == "edition.close":
        if edition.scheme is None:
            raise TransitionRefused("no_scheme")
        editions, schools = load_editions(Edition.id == edition.id)
        standing = build_standing(editions[0], schools)
        if standing.kind == "official":
            raise TransitionRefused("published")
        for row in standing.rows:
            db.session.add(
                OfficialStanding(
                    edition_id=edition.id,
                    school_id=row.school.id,
                    rank=row.rank,
                    points=to_decimal(row.points),
                    source=OfficialStanding.FROZEN,
                )
            )
        after["frozen"] = [[r.rank, r.school.slug, None if r.points is None else str(r.points)] for r in standing.rows]
    if action == "edition.reopen":
        frozen = list(
            db.session.scalars(
                sa.select(OfficialStanding).filter_by(edition_id=edition.id, source=OfficialStanding.FROZEN)
            )
        )
        before["frozen"] = [[r.rank, r.school.slug, None if r.points is None else str(r.points)] for r in frozen]
        for row in frozen:
            db.session.delete(row)
    edition.status = target
    audit(actor, action, "edition", edition.year, before, after, edition_id=edition.id)
    db.session.commit()


# --- penalties and bonuses ------------------------------------------------------------------------


def adjustment_snapshot(adjustment: PointAdjustment) -> dict:
    return {"school": adjustment.school.slug, "points": str(adjustment.points), "reason": adjustment.reason}


def add_adjustment(edition: Edition, school: School, points: Decimal, reason: str, actor: Actor) -> PointAdjustment:
    """A penalty (negative) or bonus for a school of an edition, with its reason."""
    adjustment = PointAdjustment(edition_id=edition.id, school=school, points=points, reason=reason)
    db.session.add(adjustment)
    db.session.flush()
    audit(
        actor,
        "adjustment.add",
        "adjustment",
        adjustment.id,
        None,
        adjustment_snapshot(adjustment),
        edition_id=edition.id,
    )
    db.session.commit()
    return adjustment


def delete_adjustment(adjustment: PointAdjustment, actor: Actor) -> None:
    audit(
        actor,
        "adjustment.delete",
        "adjustment",
        adjustment.id,
        adjustment_snapshot(adjustment),
        None,
        edition_id=adjustment.edition_id,
    )
    db.session.delete(adjustment)
    db.session.commit()
