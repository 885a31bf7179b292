"""What happened: placements, point adjustments and published standings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cartel.core.clock import utcnow as _now
from cartel.extensions import Model
from cartel.models.school import School
from cartel.models.sport import Discipline


class Placement(Model):
    """The place of one team (a school or a joint team) in one discipline of one edition.

    Shared places are several placements with the same place.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id"), index=True)
    discipline_id: Mapped[int] = mapped_column(ForeignKey("discipline.id"))
    place: Mapped[int]
    source: Mapped[str | None] = mapped_column(String(300))

    discipline: Mapped[Discipline] = relationship()
    members: Mapped[list[PlacementMember]] = relationship(
        back_populates="placement", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def schools(self) -> list[School]:
        return [m.school for m in self.members]


class PlacementMember(Model):
    """A school of a placed team. One school appears once per discipline of an edition."""

    __table_args__ = (UniqueConstraint("edition_id", "discipline_id", "school_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placement.id", ondelete="CASCADE"), index=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id"))
    discipline_id: Mapped[int] = mapped_column(ForeignKey("discipline.id"))
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"))

    placement: Mapped[Placement] = relationship(back_populates="members")
    school: Mapped[School] = relationship(lazy="joined")


class PointAdjustment(Model):
    """A penalty (negative points) or bonus for a school in an edition, with its reason."""

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"))
    points: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    reason: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)

    school: Mapped[School] = relationship(lazy="joined")


class OfficialStanding(Model):
    """An edition's ranking as published: rank and points of a school, either possibly unknown.

    Holds the whole ranking once an edition is closed, or what a source tells of an edition whose
    detail is unknown (2023: only IMT Mines Alès, 1st with 325 points).
    """

    __table_args__ = (UniqueConstraint("edition_id", "school_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"))
    rank: Mapped[int | None]
    points: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    source: Mapped[str | None] = mapped_column(String(300))

    school: Mapped[School] = relationship(lazy="joined")

    FROZEN = "frozen at closing"  # source of the rows written when an edition is closed
