"""Who changed what, when: one entry per change, with the state before and after."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cartel.extensions import Model
from cartel.models.user import EntryLink, User, _now


class AuditEntry(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=_now, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    link_id: Mapped[int | None] = mapped_column(ForeignKey("entry_link.id"))
    action: Mapped[str] = mapped_column(String(40))  # "result.save", "edition.close", ...
    entity: Mapped[str] = mapped_column(String(40))  # "result", "edition", "user", ...
    entity_key: Mapped[str] = mapped_column(String(120))
    edition_id: Mapped[int | None] = mapped_column(ForeignKey("edition.id"), index=True)
    discipline_id: Mapped[int | None] = mapped_column(ForeignKey("discipline.id"))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)

    user: Mapped[User | None] = relationship(lazy="joined")
    link: Mapped[EntryLink | None] = relationship(lazy="joined")


class ProcessedSubmission(Model):
    """A form submission already saved: a retry or double tap with the same key saves nothing."""

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=_now)
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id"))
    discipline_id: Mapped[int] = mapped_column(ForeignKey("discipline.id"))
    version: Mapped[int]  # the version this submission created
