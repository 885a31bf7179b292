"""Who may enter what: accounts by role and scope, entry links by their one discipline."""

from __future__ import annotations

from typing import NoReturn

import sqlalchemy as sa
from flask import abort, session
from flask_babel import gettext as _
from flask_login import current_user

from cartel.extensions import db
from cartel.models import EntryLink, Role
from cartel.write.accounts import token_hash
from cartel.write.audit import Actor

LINK_SESSION_KEY = "entry_link_id"


def link_for_token(token: str) -> EntryLink | None:
    return db.session.scalar(sa.select(EntryLink).filter_by(token_hash=token_hash(token)))


def session_link() -> EntryLink | None:
    link_id = session.get(LINK_SESSION_KEY)
    link = db.session.get(EntryLink, link_id) if link_id else None
    return link if link is not None and link.usable() else None


def is_organiser() -> bool:
    return current_user.is_authenticated and current_user.role in (Role.ADMIN, Role.ORGANISER)


def actor_for(edition_id: int, discipline_id: int, venue_id: int | None = None) -> Actor:
    """The actor allowed to enter this discipline's result (or, ``venue_id`` given, a match played at that
    venue, which a venue's link may enter), or 403/401 (410: the link was revoked or expired since it
    was opened)."""
    if is_organiser():
        if not current_user.may_enter(discipline_id):
            abort(403)
        return Actor(user_id=current_user.id)
    link = session_link()
    if link is not None and link.edition_id == edition_id:
        if link.discipline_id is not None and link.discipline_id == discipline_id:
            return Actor(link_id=link.id)
        if link.venue_id is not None and venue_id is not None and link.venue_id == venue_id:
            return Actor(link_id=link.id)
    if link is None and not current_user.is_authenticated:
        if session.get(LINK_SESSION_KEY) is not None:
            link_gone()
        abort(401)
    abort(403)


def link_gone() -> NoReturn:
    """A link holder whose link no longer works: 410 that says so and what to do. Never the login page:
    a link holder has no account to log in with."""
    abort(
        410,
        description=_(
            "The entry link opened on this phone has been revoked or has expired: nothing was saved. "
            "Ask the organisers for a new link and open it."
        ),
    )


def outbox_owner() -> str:
    """Who enters results from this browser, as the outbox of results waiting to be sent on the phone
    (static/js/outbox.js) records it: a result is sent only by whoever typed it. An account, or any
    entry link (a new link sends what a revoked one could not); empty when nobody may enter."""
    if is_organiser():
        return f"user:{current_user.id}"
    return "link" if session.get(LINK_SESSION_KEY) is not None else ""


def may_see(discipline_id: int, edition_id: int) -> bool:
    if is_organiser():
        return current_user.may_enter(discipline_id)
    link = session_link()
    return link is not None and link.edition_id == edition_id and link.discipline_id == discipline_id


def require_organiser() -> Actor:
    """Accounts only (adjustments, history restore by link holders is allowed per discipline)."""
    if not current_user.is_authenticated:
        abort(401)
    if not is_organiser():
        abort(403)
    return Actor(user_id=current_user.id)


def require_adjuster() -> Actor:
    """Penalties and bonuses change every school's total: administrators and organisers without a
    discipline limit only."""
    actor = require_organiser()
    if not current_user.may_adjust:
        abort(403, description=_("Only administrators and organisers of every discipline may add or remove penalties."))
    return actor
