"""An edition of the Cartel: its participants, programme and points scheme."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy import JSON, Enum, ForeignKey, Numeric, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cartel.extensions import Model
from cartel.models.school import School
from cartel.models.sport import Discipline


def _enum(cls: type[enum.Enum], length: int = 12) -> Enum:
    return Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class EditionStatus(str, enum.Enum):
    PLANNED = "planned"
    LIVE = "live"
    FINISHED = "finished"
    CANCELLED = "cancelled"


class ResultState(str, enum.Enum):
    PENDING = "pending"  # no result yet: to come
    IN_PROGRESS = "in_progress"  # being played, no result yet
    PROVISIONAL = "provisional"
    FINAL = "final"


class Edition(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    number: Mapped[int | None] = mapped_column(unique=True)  # cancelled editions have none
    host_id: Mapped[int | None] = mapped_column(ForeignKey("school.id"))
    start_date: Mapped[dt.date | None]
    end_date: Mapped[dt.date | None]
    status: Mapped[EditionStatus] = mapped_column(_enum(EditionStatus), default=EditionStatus.PLANNED)
    delegation_count: Mapped[int | None]  # how many delegations took part, where known
    source: Mapped[str | None] = mapped_column(String(300))
    # In the public lists and pages: an edition an administrator creates stays out of them until published
    # (opening publishes it); the seeds' editions, planned ones included, are public.
    public: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    # What the public sees of this edition: bumped in the transaction of every change to it
    # (cartel.read.revisions), so that pages and ETags computed for a revision stay valid until then.
    revision: Mapped[int] = mapped_column(default=1, server_default="1")
    revised_at: Mapped[dt.datetime | None]  # time of the last public change (UTC)

    host: Mapped[School | None] = relationship(lazy="joined")
    participations: Mapped[list[Participation]] = relationship(back_populates="edition", cascade="all, delete-orphan")
    programme: Mapped[list[ProgrammeEntry]] = relationship(back_populates="edition", cascade="all, delete-orphan")
    scheme: Mapped[PointsScheme | None] = relationship(back_populates="edition", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Edition {self.year}>"


class Participation(Model):
    """A school taking part in an edition, with its delegation size where known."""

    __table_args__ = (UniqueConstraint("edition_id", "school_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id"))
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"))
    delegation_size: Mapped[int | None]

    edition: Mapped[Edition] = relationship(back_populates="participations")
    school: Mapped[School] = relationship()


class ProgrammeEntry(Model):
    """A discipline contested in an edition, with its points (the edition's table times its weight, or
    a table of its own) and the state of its result."""

    __table_args__ = (UniqueConstraint("edition_id", "discipline_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id"))
    discipline_id: Mapped[int] = mapped_column(ForeignKey("discipline.id"))
    weight: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=Decimal(1))
    # The discipline's own points per place as its rulebook writes them (e.g. [24, 18, 14, 12, 10, 8, 6, 4,
    # 2, 1]; decimals as strings), in place of the edition's table times the weight; None: the edition's.
    place_points: Mapped[list | None] = mapped_column(JSON(none_as_null=True))
    beyond_last: Mapped[bool] = mapped_column(default=False, server_default=false())  # past the table: last value, or 0
    result_state: Mapped[ResultState] = mapped_column(_enum(ResultState), default=ResultState.PENDING)
    version: Mapped[int] = mapped_column(default=0)  # bumped on every change of the result
    published_at: Mapped[dt.datetime | None]  # first time a result was saved (UTC)
    corrected_at: Mapped[dt.datetime | None]  # last change of the places after the first publication (UTC)
    updated_at: Mapped[dt.datetime | None]  # last save of any kind: result, confirmation, restore (UTC)

    edition: Mapped[Edition] = relationship(back_populates="programme")
    discipline: Mapped[Discipline] = relationship()


class PointsScheme(Model):
    """The points of each place, the tie rule and the tie-break order of one edition."""

    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id"), primary_key=True)
    place_points: Mapped[list] = mapped_column(JSON)  # e.g. [10, 7, 5, 3]; decimals as strings
    tie_rule: Mapped[str] = mapped_column(String(10), default="shared")
    tie_breaks: Mapped[list] = mapped_column(JSON, default=lambda: [1, 2, 3])

    edition: Mapped[Edition] = relationship(back_populates="scheme")
