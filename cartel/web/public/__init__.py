"""Public pages: rankings, editions, schools and records."""

from cartel.web.public import tournaments  # noqa: F401  (its routes join the public blueprint)
from cartel.web.public.views import bp

__all__ = ["bp"]
