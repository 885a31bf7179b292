"""The one clock of the app: the current time in UTC, naive, as every timestamp is stored."""

from __future__ import annotations

import datetime as dt


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
