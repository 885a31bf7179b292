"""The public JSON API: read-only, open to every origin (CORS) for GET."""

from cartel.web.api.views import bp

__all__ = ["bp"]
