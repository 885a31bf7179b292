"""Sports and their disciplines. A discipline is what has one podium (handball men)."""

from __future__ import annotations

import enum

from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cartel.core.collation import folded
from cartel.extensions import Model


class Category(str, enum.Enum):
    MEN = "men"
    WOMEN = "women"
    OPEN = "open"


class SportKind(str, enum.Enum):
    """What is contested: a sport, or a contest that is not one (DJ contest, innovation challenge, cheer
    show). Both count in the general ranking; the public pages show contests apart."""

    SPORT = "sport"
    CONTEST = "contest"


class Sport(Model):
    """What is contested (handball, a DJ contest), split into disciplines by category.

    The kind belongs here, not to the discipline: the men's and the women's tournaments of one sport
    are of the same kind, and a contest is one activity whatever its categories.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name_fr: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(80))
    kind: Mapped[SportKind] = mapped_column(
        Enum(SportKind, native_enum=False, length=10, values_callable=lambda e: [m.value for m in e]),
        default=SportKind.SPORT,
        server_default=SportKind.SPORT.value,
    )

    disciplines: Mapped[list[Discipline]] = relationship(back_populates="sport")

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_fr


class Discipline(Model):
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

    def programme_key(self) -> tuple[tuple[str, str], str]:
        """The programme's one order, everywhere it is listed: by sport (its French name, accents and
        case aside), then by category."""
        return (folded(self.sport.name_fr), self.category.value)
