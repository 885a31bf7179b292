"""Public pages: rankings, editions, schools and records."""

from cartel.web.public.views import bp

__all__ = ["bp"]
