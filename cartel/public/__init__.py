"""Public pages: rankings, editions, schools and records."""

from cartel.public.views import bp

__all__ = ["bp"]
