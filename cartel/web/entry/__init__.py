"""Courtside entry of results by organisers and entry-link holders, and bulk import."""

from cartel.web.entry import importing, matches  # noqa: F401  (their routes join the entry blueprint)
from cartel.web.entry.views import bp

__all__ = ["bp"]
