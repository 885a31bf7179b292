"""Schools (delegations) and what is known of their titles before the recorded history."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cartel.extensions import Model


class School(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    short_name: Mapped[str] = mapped_column(String(40))
    city: Mapped[str | None] = mapped_column(String(80))
    country: Mapped[str] = mapped_column(String(2), default="FR")  # ISO 3166 alpha-2
    colours: Mapped[str | None] = mapped_column(String(60))  # e.g. "#1d3f8f,#ffffff"

    prior_titles: Mapped[list[PriorTitleCount]] = relationship(back_populates="school")

    def __repr__(self) -> str:
        return f"<School {self.slug}>"


class PriorTitleCount(Model):
    """Titles a school won before ``before_year``, as stated by a source."""

    __table_args__ = (UniqueConstraint("school_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"))
    before_year: Mapped[int]
    count: Mapped[int]
    source: Mapped[str] = mapped_column(String(300))

    school: Mapped[School] = relationship(back_populates="prior_titles")
