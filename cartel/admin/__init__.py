"""Administration: schools, sports, editions, accounts and entry links (admins only)."""

from cartel.admin.views import bp

__all__ = ["bp"]
