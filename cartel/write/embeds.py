"""The sites allowed to frame the embeddable widgets: added and removed by an administrator, audited."""

from __future__ import annotations

import re

import sqlalchemy as sa

from cartel.core.audit import Action
from cartel.extensions import db
from cartel.models import EmbedOrigin
from cartel.write.audit import Actor, record

ORIGIN = re.compile(r"^https?://[a-z0-9.-]+(?::\d{1,5})?$")


class OriginRefused(ValueError):
    pass


def normalised(text: str) -> str:
    """An origin as a browser sends it: scheme and host in lower case, no path, no trailing slash."""
    origin = text.strip().rstrip("/").lower()
    if not ORIGIN.match(origin):
        raise OriginRefused(origin)
    return origin


def add_origin(text: str, actor: Actor) -> EmbedOrigin:
    origin = normalised(text)
    existing = db.session.scalar(sa.select(EmbedOrigin).filter_by(origin=origin))
    if existing is not None:
        return existing
    row = EmbedOrigin(origin=origin)
    db.session.add(row)
    db.session.flush()
    record(actor, Action.EMBED_ADD, origin, None, {"origin": origin})
    return row


def remove_origin(row: EmbedOrigin, actor: Actor) -> None:
    record(actor, Action.EMBED_REMOVE, row.origin, {"origin": row.origin}, None)
    db.session.delete(row)
    db.session.flush()


def allowed_origins() -> list[str]:
    return list(db.session.scalars(sa.select(EmbedOrigin.origin).order_by(EmbedOrigin.origin)))
