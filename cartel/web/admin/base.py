"""The administration blueprint and what its views share: admins only, the acting user, disciplines by name."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_login import current_user
from wtforms import SelectChoice

from cartel.extensions import db
from cartel.models import Discipline, Edition, EditionStatus, Role
from cartel.web.auth import require_role
from cartel.web.forms import reused_page
from cartel.words.i18n import discipline_name
from cartel.write.audit import Actor
from cartel.write.submissions import SubmissionReused

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.register_error_handler(SubmissionReused, reused_page)


@bp.before_request
@require_role(Role.ADMIN)
def admins_only() -> None:
    return None


def edition_in_preparation() -> Edition | None:
    """The edition being prepared or run (the live one, else the latest planned): every admin page leads
    back to its set-up."""
    return db.session.scalar(
        sa.select(Edition)
        .where(Edition.status.in_([EditionStatus.LIVE, EditionStatus.PLANNED]))
        .order_by(Edition.status == EditionStatus.PLANNED, Edition.year.desc())
        .limit(1)
    )


@bp.context_processor
def set_up_link() -> dict:
    return {"edition_in_preparation": edition_in_preparation}


def actor() -> Actor:
    return Actor(user_id=current_user.id)


def disciplines_sorted() -> list[Discipline]:
    return sorted(db.session.scalars(sa.select(Discipline)), key=Discipline.programme_key)


def discipline_choices(disciplines: list[Discipline]) -> dict[str, list[SelectChoice]]:
    """Disciplines by sport, each under its name in the reader's language (never a slug)."""
    groups: dict[str, list[SelectChoice]] = {}
    for d in disciplines:
        groups.setdefault(d.sport.name(str(get_locale())), []).append(SelectChoice(d.slug, discipline_name(d)))
    return groups


@bp.get("/")
def index() -> ResponseReturnValue:
    editions = list(db.session.scalars(sa.select(Edition).order_by(Edition.year.desc())))
    return render_template("admin/index.html", editions=editions)
