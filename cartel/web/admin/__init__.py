"""Administration: schools, sports, editions, accounts and entry links (admins only).

One module per domain registers its views on the blueprint defined in `base`.
"""

from cartel.web.admin import access, audit, editions, embeds, schedule, schools, tournaments  # noqa: F401  (each registers its views)
from cartel.web.admin.base import bp

__all__ = ["bp"]
