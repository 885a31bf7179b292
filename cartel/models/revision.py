"""The revision of what the public sees across editions (editions list, records, school pages)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Mapped, mapped_column

from cartel.extensions import Model


class HistoryRevision(Model):
    """One row (id 1), bumped with every edition revision: pages spanning editions depend on it."""

    ROW_ID = 1

    id: Mapped[int] = mapped_column(primary_key=True)
    revision: Mapped[int] = mapped_column(default=1)
    revised_at: Mapped[dt.datetime | None]
