"""The one owner of a transaction: operations only add and flush; the unit of work commits them.

A view or a command wraps the operations of one user action in ``unit_of_work()``: when the block
ends, everything it did is committed at once; when it raises, everything is rolled back and the
error goes on to the caller (a form's problems, a version conflict), so nothing is ever half-saved.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from cartel.extensions import db


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Commit what the block wrote, or roll all of it back if the block raises."""
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
