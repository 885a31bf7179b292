"""Sports and their disciplines. A discipline is what has one podium (handball men)."""

from __future__ import annotations

import enum

from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cartel.extensions import db


class Category(str, enum.Enum):
    MEN = "men"
    WOMEN = "women"
    OPEN = "open"


class Sport(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name_fr: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(80))

    disciplines: Mapped[list[Discipline]] = relationship(back_populates="sport")

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_fr


class Discipline(db.Model):
    __table_args__ = (UniqueConstraint("sport_id", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    sport_id: Mapped[int] = mapped_column(ForeignKey("sport.id"))
    category: Mapped[Category] = mapped_column(
        Enum(Category, native_enum=False, length=10, values_callable=lambda e: [m.value for m in e])
    )

    sport: Mapped[Sport] = relationship(back_populates="disciplines", lazy="joined")

    def __repr__(self) -> str:
        return f"<Discipline {self.slug}>"
