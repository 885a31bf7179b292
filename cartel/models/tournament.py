"""A discipline's tournament in an edition: its format and rules (as data), its matches, the venues they
are played at, and the organiser's decisions where the rules leave teams level."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cartel.core.clock import utcnow as _now
from cartel.extensions import Model


class MatchState(str, enum.Enum):
    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    FINAL = "final"


class Tournament(Model):
    """The tournament of one programme entry. ``spec``: the shape and its teams (cartel.core.tournament.spec,
    teams by school slug, a joint team's slugs joined by "+"); ``rules``: cartel.core.tournament.rules as
    data. ``draw`` grows each time the administrator draws the pools or bracket again."""

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_entry_id: Mapped[int] = mapped_column(ForeignKey("programme_entry.id", ondelete="CASCADE"), unique=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id"), index=True)
    discipline_id: Mapped[int] = mapped_column(ForeignKey("discipline.id"))
    preset: Mapped[str | None] = mapped_column(String(40))  # the sport's rulebook the rules started from
    spec: Mapped[dict] = mapped_column(JSON)
    rules: Mapped[dict] = mapped_column(JSON)
    draw: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)

    matches: Mapped[list[Match]] = relationship(
        back_populates="tournament", cascade="all, delete-orphan", order_by="Match.id"
    )
    decisions: Mapped[list[TieDecision]] = relationship(
        back_populates="tournament", cascade="all, delete-orphan", order_by="TieDecision.id"
    )


class Venue(Model):
    """A pitch, court or pool of an edition."""

    __table_args__ = (UniqueConstraint("edition_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))


class Match(Model):
    """A match of a tournament, by its code in the format ("A-1.2", "1-2"). ``home`` and ``away``: the
    teams the result was entered for (so that a result whose slot later holds other teams is known as
    such); ``result``: the score as entered (cartel.read.tournaments reads it), kept while in progress."""

    __table_args__ = (UniqueConstraint("tournament_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tournament_id: Mapped[int] = mapped_column(ForeignKey("tournament.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    state: Mapped[MatchState] = mapped_column(
        Enum(MatchState, native_enum=False, length=12, values_callable=lambda e: [m.value for m in e]),
        default=MatchState.SCHEDULED,
    )
    home: Mapped[str | None] = mapped_column(String(200))
    away: Mapped[str | None] = mapped_column(String(200))
    result: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    starts_at: Mapped[dt.datetime | None]  # UTC
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venue.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[dt.datetime | None]
    # grows each time the match moves (time or venue): calendar feeds give it as the event's SEQUENCE
    sequence: Mapped[int] = mapped_column(default=0, server_default="0")

    tournament: Mapped[Tournament] = relationship(back_populates="matches")
    venue: Mapped[Venue | None] = relationship(lazy="joined")


class TieDecision(Model):
    """The organiser's order for teams the rules leave level in ``context`` (a pool, a ranking across
    pools): lots drawn, a shoot-out played... with its reason. It holds for that very set of teams only."""

    __table_args__ = (UniqueConstraint("tournament_id", "context", "teams"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tournament_id: Mapped[int] = mapped_column(ForeignKey("tournament.id", ondelete="CASCADE"), index=True)
    context: Mapped[str] = mapped_column(String(40))
    teams: Mapped[str] = mapped_column(String(400))  # the teams, sorted, joined by a space
    order: Mapped[list] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)

    tournament: Mapped[Tournament] = relationship(back_populates="decisions")


class EmbedOrigin(Model):
    """A site allowed to frame the embeddable widgets (/embed/...): its origin, "https://bds.example.org"."""

    id: Mapped[int] = mapped_column(primary_key=True)
    origin: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)
