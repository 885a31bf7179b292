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
    """A form submission already applied: its id (a uuid the form was rendered with) belongs to one
    sender, one target and one content. The same again (a double tap, a retry after a lost answer) is
    told what the first one did and changes nothing; the id with another sender, target or content is
    refused (cartel.write.submissions)."""

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=_now)
    sender: Mapped[str] = mapped_column(String(40), default="")  # "user:3", "link:7"
    target: Mapped[str] = mapped_column(String(200), default="")  # "result:2024/football-m", "adjustment:2024"
    digest: Mapped[str] = mapped_column(String(64), default="")  # SHA-256 of the content, canonical JSON
    outcome: Mapped[str | None] = mapped_column(String(200))  # what the first one made (an id, a slug)
    edition_id: Mapped[int | None] = mapped_column(ForeignKey("edition.id"))
    discipline_id: Mapped[int | None] = mapped_column(ForeignKey("discipline.id"))
    version: Mapped[int | None]  # the version of a result this submission created
