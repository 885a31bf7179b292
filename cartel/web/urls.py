"""Where a "next" parameter may send a visitor back: only to a path of this site."""

from __future__ import annotations

from urllib.parse import urlsplit


def local_target(target: str | None, fallback: str) -> str:
    """``target`` when it is a plain path of this site, else ``fallback``.

    Refused: anything with a scheme or a host, "//host" and its disguises ("////host", "/\\\\host",
    a tab or newline inside: browsers drop those before reading the URL), and any control character
    (a CR/LF would also break the Location header).
    """
    if not target or not target.startswith("/") or any(ord(c) < 32 or ord(c) == 127 or c == "\\" for c in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("//"):
        return fallback
    return target
