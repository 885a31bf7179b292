"""The audit trail, newest first, each change told in words (cartel/describe.py)."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from flask import render_template
from flask.typing import ResponseReturnValue
from flask_babel import get_locale

from cartel.extensions import db
from cartel.models import AuditEntry, Discipline, Edition, EntryLink, School, Sport
from cartel.web.admin.base import bp
from cartel.words.describe import Names, describe
from cartel.words.i18n import discipline_name, link_scope

SHOWN = 200


def load_names(rows: list[AuditEntry]) -> Names:
    """Every name the rows may need, in a fixed number of queries whatever their count."""
    locale = str(get_locale())
    disciplines = list(db.session.scalars(sa.select(Discipline)))  # each with its sport (joined)
    keys = [a.entity_key for a in rows if a.entity == "link"]
    link_ids = {int(key) for key in keys if key.isascii() and key.isdigit()}
    links: Iterable[EntryLink] = (
        db.session.scalars(sa.select(EntryLink).where(EntryLink.id.in_(link_ids))) if link_ids else []
    )
    return Names(
        schools=dict(db.session.execute(sa.select(School.slug, School.name)).tuples().all()),
        disciplines={d.slug: discipline_name(d) for d in disciplines},
        discipline_ids={d.id: discipline_name(d) for d in disciplines},
        sports={s.slug: s.name(locale) for s in db.session.scalars(sa.select(Sport))},
        years=dict(db.session.execute(sa.select(Edition.id, Edition.year)).tuples().all()),
        links={link.id: (link_scope(link), link.label) for link in links},
    )


@bp.get("/audit")
def audit_log() -> ResponseReturnValue:
    rows = list(db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(SHOWN)))
    names = load_names(rows)
    return render_template("admin/audit.html", rows=[(a, describe(a, names)) for a in rows], shown=SHOWN)
