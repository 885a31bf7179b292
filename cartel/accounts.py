"""Accounts and entry links: creation and changes, each audited and committed once."""

from __future__ import annotations

import datetime as dt
import secrets

import sqlalchemy as sa

from cartel.entry.access import token_hash
from cartel.extensions import db
from cartel.models import Discipline, Edition, EntryLink, Role, User
from cartel.operations import Actor, audit, utcnow

MIN_PASSWORD = 10


class UserError(ValueError):
    pass


def user_snapshot(user: User) -> dict:
    return {
        "email": user.email,
        "role": user.role.value,
        "active": user.active,
        "disciplines": sorted(d.slug for d in user.disciplines),
    }


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"the password needs at least {MIN_PASSWORD} characters")


def create_user(
    email: str, password: str, role: Role, actor: Actor, disciplines: list[Discipline] | None = None
) -> User:
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise UserError(f"{email!r} is not an email address")
    if db.session.scalar(sa.select(User.id).filter_by(email=email)) is not None:
        raise UserError(f"an account {email} already exists")
    check_password_strength(password)
    user = User(email=email, role=role, disciplines=list(disciplines or []))
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit(actor, "user.create", "user", email, None, user_snapshot(user))
    db.session.commit()
    return user


def update_user(
    user: User, actor: Actor, *, role: Role, active: bool, disciplines: list[Discipline], password: str | None = None
) -> None:
    before = user_snapshot(user)
    if password:
        check_password_strength(password)
        user.set_password(password)
    if password or (user.active and not active):
        user.end_sessions()  # a password change or a deactivation ends the account's sessions everywhere
    user.role, user.active, user.disciplines = role, active, list(disciplines)
    after = user_snapshot(user)
    if password:
        after["password"] = "changed"
    audit(actor, "user.update", "user", user.email, before, after)
    db.session.commit()


def end_sessions(user: User) -> None:
    """Log the account out everywhere (at logout: a copied session cookie must not outlive it)."""
    user.end_sessions()
    db.session.commit()


def create_link(
    edition: Edition, discipline: Discipline, label: str, hours: int, actor: Actor
) -> tuple[EntryLink, str]:
    """A new entry link; the token is returned once and only its hash is stored."""
    token = secrets.token_urlsafe(18)
    link = EntryLink(
        token_hash=token_hash(token),
        edition_id=edition.id,
        discipline=discipline,
        label=label,
        created_by_id=actor.user_id,
        expires_at=utcnow() + dt.timedelta(hours=hours),
    )
    db.session.add(link)
    db.session.flush()
    audit(
        actor,
        "link.create",
        "link",
        link.id,
        None,
        {"discipline": discipline.slug, "label": label, "expires_at": link.expires_at.isoformat()},
        edition_id=edition.id,
        discipline_id=discipline.id,
    )
    db.session.commit()
    return link, token


def revoke_link(link: EntryLink, actor: Actor) -> None:
    if link.revoked_at is not None:
        return
    link.revoked_at = utcnow()
    audit(
        actor,
        "link.revoke",
        "link",
        link.id,
        {"revoked_at": None},
        {"revoked_at": link.revoked_at.isoformat()},
        edition_id=link.edition_id,
        discipline_id=link.discipline_id,
    )
    db.session.commit()
