"""Courtside entry of results by organisers and entry-link holders."""
from cartel.entry.views import bp

__all__ = ["bp"]
