"""Accounts, entry links and login throttling."""

from __future__ import annotations

import datetime as dt
import enum
import secrets

from flask_login import UserMixin
from sqlalchemy import Column, Enum, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from cartel.core.clock import utcnow as _now
from cartel.extensions import Model, db
from cartel.models.sport import Discipline
from cartel.models.tournament import Venue


class Role(str, enum.Enum):
    ADMIN = "admin"
    ORGANISER = "organiser"


user_discipline = Table(
    "user_discipline",
    db.metadata,
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
    Column("discipline_id", ForeignKey("discipline.id", ondelete="CASCADE"), primary_key=True),
)


class User(UserMixin, Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=12, values_callable=lambda e: [m.value for m in e])
    )
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)
    # part of the login session's id: a new one ends every session of this account (logout, password
    # change, deactivation), on every worker and server, since each request loads it from the database
    session_token: Mapped[str] = mapped_column(String(64), default=lambda: secrets.token_urlsafe(32))
    # an organiser limited to some disciplines; empty means every discipline
    # loaded when asked (entry checks), not on every page an organiser opens
    disciplines: Mapped[list[Discipline]] = relationship(secondary=user_discipline)

    @property
    def is_active(self) -> bool:  # Flask-Login: deactivated accounts cannot log in
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def may_adjust(self) -> bool:
        """Penalties and bonuses touch every school's total: administrators and unrestricted organisers only."""
        return self.is_admin or not self.disciplines

    def get_id(self) -> str:  # Flask-Login keeps this in the session and the remember cookie
        return f"{self.id}:{self.session_token}"

    def end_sessions(self) -> None:
        self.session_token = secrets.token_urlsafe(32)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def may_enter(self, discipline_id: int) -> bool:
        """Whether this account may enter results of a discipline."""
        return self.is_admin or not self.disciplines or any(d.id == discipline_id for d in self.disciplines)


class EntryLink(Model):
    """A secret link that lets its holder enter one discipline's result of one edition, or the matches
    played at one venue of it (``venue_id``, whatever their discipline)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the token
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id"))
    discipline_id: Mapped[int | None] = mapped_column(ForeignKey("discipline.id"))
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venue.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(120))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)
    # printed weeks ahead, a link opens with the edition: valid from valid_from (None: from its creation)
    valid_from: Mapped[dt.datetime | None]
    expires_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]

    discipline: Mapped[Discipline | None] = relationship(lazy="joined")
    venue: Mapped[Venue | None] = relationship(lazy="joined")

    def usable(self, now: dt.datetime | None = None) -> bool:
        now = now or _now()
        return self.revoked_at is None and not self.not_yet(now) and now < self.expires_at

    def not_yet(self, now: dt.datetime | None = None) -> bool:
        """Whether the link is still to open (printed ahead of its edition)."""
        return self.valid_from is not None and (now or _now()) < self.valid_from


class LoginThrottle(Model):
    """Recent failed logins of one key ("pair:EMAIL ADDRESS" or "address:ADDRESS"), shared by every
    app process through the database; see cartel/auth/throttle.py."""

    key: Mapped[str] = mapped_column(String(400), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_at: Mapped[dt.datetime] = mapped_column(default=_now)
