"""Penalties (negative points) and bonuses of a school in an edition, with their reasons, audited."""

from __future__ import annotations

from decimal import Decimal

from cartel.core.audit import Action, AdjustmentSnapshot
from cartel.extensions import db
from cartel.models import Edition, PointAdjustment, School
from cartel.write.audit import Actor, record


def adjustment_snapshot(adjustment: PointAdjustment) -> AdjustmentSnapshot:
    return AdjustmentSnapshot(adjustment.school.slug, str(adjustment.points), adjustment.reason)


def add_adjustment(edition: Edition, school: School, points: Decimal, reason: str, actor: Actor) -> PointAdjustment:
    """A penalty (negative) or bonus for a school of an edition, with its reason."""
    adjustment = PointAdjustment(edition_id=edition.id, school=school, points=points, reason=reason)
    db.session.add(adjustment)
    db.session.flush()
    record(
        actor,
        Action.ADJUSTMENT_ADD,
        adjustment.id,
        None,
        adjustment_snapshot(adjustment).to_json(),
        edition_id=edition.id,
    )
    return adjustment


def delete_adjustment(adjustment: PointAdjustment, actor: Actor) -> None:
    record(
        actor,
        Action.ADJUSTMENT_DELETE,
        adjustment.id,
        adjustment_snapshot(adjustment).to_json(),
        None,
        edition_id=adjustment.edition_id,
    )
    db.session.delete(adjustment)
    db.session.flush()
