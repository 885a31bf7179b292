"""Accounts and entry links: creation and changes, each checked first, then audited (an Actor, one audit
entry per change); the caller's unit of work commits.

An account's disciplines limit what it may enter; none listed means the whole programme."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets
from zoneinfo import ZoneInfo

import email_validator
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from cartel.core.audit import Action
from cartel.core.clock import utcnow
from cartel.extensions import db
from cartel.models import Discipline, Edition, EntryLink, Role, User, Venue
from cartel.write.audit import Actor, record

MIN_PASSWORD = 10
MAX_LINK_HOURS = 24 * 14
EVENT_ZONE = ZoneInfo("Europe/Paris")  # the edition's days are Paris days


class UserError(ValueError):
    """Refused input; ``code`` says why (email, exists, password, last_admin, link), the message says it
    in English."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def user_snapshot(user: User) -> dict:
    return {
        "email": user.email,
        "role": user.role.value,
        "active": user.active,
        "disciplines": sorted(d.slug for d in user.disciplines),
    }


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError("password", f"the password needs at least {MIN_PASSWORD} characters")


def email_address(text: str) -> str:
    """The account e-mail ``text`` gives, trimmed and in lower case, or UserError("email").

    The one rule of every way in (the login form, the accounts form, ``flask user create``): an
    address that can be real (email_validator's syntax, no DNS look-up), plus the domain reserved
    for trials, ``.test``; not ``localhost``, ``.local`` and the other special-use names, which no
    organiser's mail uses and which mostly hide a typing slip (``orga@gmail``)."""
    try:
        found = email_validator.validate_email(
            text.strip(),
            check_deliverability=False,
            test_environment=True,  # name@anything.test
            globally_deliverable=True,
            allow_smtputf8=True,
            allow_quoted_local=False,
            allow_domain_literal=False,
            allow_display_name=False,
            allow_empty_local=False,
        )
    except email_validator.EmailNotValidError as error:
        raise UserError("email", f"{text.strip()!r} is not an email address: {error}") from None
    return found.normalized.lower()


def _checked_email(email: str, user: User | None = None) -> str:
    email = email_address(email)
    other = db.session.scalar(sa.select(User.id).filter_by(email=email))
    if other is not None and (user is None or other != user.id):
        raise UserError("exists", f"an account {email} already exists")
    return email


def token_hash(token: str) -> str:
    """What is stored of an entry link's token: its hash, never the token itself."""
    return hashlib.sha256(token.encode()).hexdigest()


def _flush_account(email: str) -> None:
    """Flush; the same e-mail saved at the same moment by someone else is refused, not a crash."""
    try:
        db.session.flush()
    except IntegrityError:
        raise UserError("exists", f"an account {email} already exists") from None


def create_user(
    email: str, password: str, role: Role, actor: Actor, disciplines: list[Discipline] | None = None
) -> User:
    """A new account, limited to ``disciplines`` (none: the whole programme)."""
    email = _checked_email(email)
    check_password_strength(password)
    user = User(email=email, role=role, disciplines=list(disciplines or []))
    user.set_password(password)
    db.session.add(user)
    record(actor, Action.USER_CREATE, email, None, user_snapshot(user))
    _flush_account(email)
    return user


def update_user(
    user: User,
    actor: Actor,
    *,
    role: Role,
    active: bool,
    disciplines: list[Discipline],
    password: str | None = None,
    email: str | None = None,
) -> None:
    """Change an account (``disciplines`` empty: the whole programme); a new password or a
    deactivation ends its sessions everywhere. Everything is checked before anything changes."""
    email = user.email if email is None else _checked_email(email, user)
    if password:
        check_password_strength(password)
    if user.is_admin and user.active and not (role is Role.ADMIN and active):
        _keep_an_administrator(user)
    before = user_snapshot(user)
    if password:
        user.set_password(password)
    if password or (user.active and not active):
        user.end_sessions()  # a password change or a deactivation ends the account's sessions everywhere
    user.email, user.role, user.active, user.disciplines = email, role, active, list(disciplines)
    after = user_snapshot(user)
    if password:
        after["password"] = "changed"
    record(actor, Action.USER_UPDATE, user.email, before, after)
    _flush_account(email)


def _keep_an_administrator(user: User) -> None:
    """Refuse to demote or deactivate the last active administrator: nobody could then manage the
    accounts. The active administrators' rows stay locked until the change is saved, so two of them
    demoting each other at the same moment cannot both succeed."""
    admins = db.session.scalars(
        sa.select(User.id).where(User.role == Role.ADMIN, User.active.is_(True)).order_by(User.id).with_for_update()
    )
    if not set(admins) - {user.id}:
        raise UserError(
            "last_admin",
            f"{user.email} is the last active administrator: make another account an administrator first",
        )


def end_sessions(user: User) -> None:
    """Log the account out everywhere (at logout: a copied session cookie must not outlive it)."""
    user.end_sessions()
    db.session.flush()


def _link_snapshot(link: EntryLink) -> dict:
    if link.discipline is None:
        return {"venue": link.venue.name if link.venue else None, "label": link.label}
    return {"discipline": link.discipline.slug, "label": link.label}


def _revoke(link: EntryLink, actor: Actor) -> None:
    link.revoked_at = utcnow()
    record(
        actor,
        Action.LINK_REVOKE,
        link.id,
        {**_link_snapshot(link), "revoked_at": None},
        {**_link_snapshot(link), "revoked_at": link.revoked_at.isoformat()},
        edition_id=link.edition_id,
        discipline_id=link.discipline_id,
    )


def issue_links(
    edition: Edition,
    disciplines: list[Discipline],
    label: str,
    hours: int,
    actor: Actor,
    *,
    reissue: bool = False,
    valid_from: dt.datetime | None = None,
) -> list[tuple[EntryLink, str]]:
    """One new entry link per discipline, in one transaction; each token is returned once and only its
    hash is stored. ``reissue`` first revokes the usable links these disciplines have (a lost sheet).
    The links last ``hours`` from ``valid_from`` (when they open; None: now)."""
    label = label.strip()
    if not disciplines or not label or len(label) > 120 or not 1 <= hours <= MAX_LINK_HOURS:
        raise UserError("link", "entry links need disciplines, a label and 1 to 336 hours")
    if reissue:
        current = db.session.scalars(
            sa.select(EntryLink).where(
                EntryLink.edition_id == edition.id,
                EntryLink.discipline_id.in_([d.id for d in disciplines]),
                EntryLink.revoked_at.is_(None),
            )
        )
        for link in [link for link in current if link.usable()]:
            _revoke(link, actor)
    issued = [
        _issue(edition, label, hours, actor, discipline=discipline, valid_from=valid_from) for discipline in disciplines
    ]
    db.session.flush()
    return issued


def issue_venue_links(
    edition: Edition, venues: list[Venue], label: str, hours: int, actor: Actor
) -> list[tuple[EntryLink, str]]:
    """One new entry link per venue (its holder enters the matches played there, whatever their
    discipline), in one transaction; each token is returned once and only its hash is stored."""
    label = label.strip()
    if not venues or not label or len(label) > 120 or not 1 <= hours <= MAX_LINK_HOURS:
        raise UserError("link", "venue links need venues, a label and 1 to 336 hours")
    return [_issue(edition, label, hours, actor, venue=venue) for venue in venues]


def _issue(
    edition: Edition,
    label: str,
    hours: int,
    actor: Actor,
    *,
    discipline: Discipline | None = None,
    venue: Venue | None = None,
    valid_from: dt.datetime | None = None,
) -> tuple[EntryLink, str]:
    """One new link, for a discipline or a venue, audited; its token returned once, only its hash stored."""
    token = secrets.token_urlsafe(18)
    opens = valid_from if valid_from is not None and valid_from > utcnow() else None
    link = EntryLink(
        token_hash=token_hash(token),
        edition_id=edition.id,
        discipline=discipline,
        venue=venue,
        label=label,
        created_by_id=actor.user_id,
        valid_from=opens,
        expires_at=(opens or utcnow()) + dt.timedelta(hours=hours),
    )
    db.session.add(link)
    db.session.flush()
    record(
        actor,
        Action.LINK_CREATE,
        link.id,
        None,
        {
            **_link_snapshot(link),
            "expires_at": link.expires_at.isoformat(),
            **({"valid_from": link.valid_from.isoformat()} if link.valid_from else {}),
        },
        edition_id=edition.id,
        discipline_id=discipline.id if discipline is not None else None,
    )
    return link, token


def revoke_link(link: EntryLink, actor: Actor) -> None:
    """Stop a link working at once; a link already revoked stays as it is."""
    if link.revoked_at is not None:
        return
    _revoke(link, actor)
    db.session.flush()


def _paris_midnight(day: dt.date) -> dt.datetime:
    """The start of ``day`` in Paris, as the naive UTC time stored."""
    return dt.datetime.combine(day, dt.time(), tzinfo=EVENT_ZONE).astimezone(dt.UTC).replace(tzinfo=None)


def edition_end(edition: Edition) -> dt.datetime | None:
    """The end of the edition's last day (Paris), or None when it is not known."""
    return _paris_midnight(edition.end_date + dt.timedelta(days=1)) if edition.end_date else None


def link_window(edition: Edition, now: dt.datetime | None = None) -> tuple[dt.datetime | None, int | None]:
    """When links printed now should open, and for how many hours, so that they serve the whole edition
    whatever day they are printed: from the day before its first day (set-up, a test) when that is still
    to come, else from now; to the end of its last day. (None, None) when the last day is not known or is
    past; a window longer than a link may last is cut to MAX_LINK_HOURS."""
    now = now or utcnow()
    end = edition_end(edition)
    if end is None:
        return None, None
    opens = _paris_midnight(edition.start_date - dt.timedelta(days=1)) if edition.start_date else None
    opens = opens if opens is not None and opens > now else None
    hours = math.ceil((end - (opens or now)).total_seconds() / 3600)
    if hours < 1:
        return None, None
    return opens, min(hours, MAX_LINK_HOURS)
