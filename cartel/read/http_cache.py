"""Public pages computed once per revision, then served as stored bytes with HTTP validators.

Each app process keeps what it computed (rankings, records, rendered pages) keyed by the revision
it was computed at. Every request first reads the current revision from the database (one cheap
query, cartel.read.revisions): a write committed by any process or server bumps it, so the next request
anywhere recomputes instead of serving stale bytes. Nothing that matters lives only here: losing
this cache costs one recomputation.

What differs between visitors never enters a stored page: visitors who are logged in or have a
message waiting get a page rendered for them, marked ``private, no-store``; everyone else shares
the stored bytes of their language, with an ETag made of the revision, the language and the
build, and ``Vary: Cookie`` (the language and the login live in cookies).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar, cast

from flask import Flask, Response, current_app, request, session

from cartel.config import ROOT

T = TypeVar("T")


class RevisionCache:
    """Values computed at most once per (key, revision) in this process, least recently used evicted.

    A concurrent request for the same key waits for the computation in progress instead of
    repeating it.
    """

    def __init__(self, max_entries: int = 4096) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, tuple[Hashable, object]] = OrderedDict()
        self._guard = threading.Lock()
        self._key_locks: dict[Hashable, threading.Lock] = {}

    def _lookup(self, key: Hashable, revision: Hashable) -> tuple[bool, object]:
        with self._guard:
            entry = self._entries.get(key)
            if entry is not None and entry[0] == revision:
                self._entries.move_to_end(key)
                return True, entry[1]
            return False, None

    def peek(self, key: Hashable, revision: Hashable) -> tuple[bool, object]:
        """(True, value) when ``key`` holds a value computed at ``revision``, else (False, None); never computes."""
        return self._lookup(key, revision)

    def get(self, key: Hashable, revision: Hashable, compute: Callable[[], T]) -> T:
        found, value = self._lookup(key, revision)
        if found:
            return cast(T, value)  # what compute() gave for this key, a T: the cache holds values of every type
        with self._guard:
            lock = self._key_locks.setdefault(key, threading.Lock())
        with lock:
            found, value = self._lookup(key, revision)
            if found:
                return cast(T, value)
            value = compute()
            with self._guard:
                self._entries[key] = (revision, value)
                self._entries.move_to_end(key)
                while len(self._entries) > self.max_entries:
                    old, _ = self._entries.popitem(last=False)
                    self._key_locks.pop(old, None)
        return value

    def clear(self) -> None:
        with self._guard:
            self._entries.clear()


def build_digest() -> str:
    """A short digest of the code, templates, styles and translations: a new release gets new ETags."""
    digest = hashlib.sha256()
    roots = [ROOT / "cartel", ROOT / "templates", ROOT / "static"]
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix in {".py", ".html", ".js", ".css", ".mo", ".json", ".svg"}:
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def init_app(app: Flask) -> None:
    app.extensions["cartel_cache"] = RevisionCache()
    app.extensions["cartel_build"] = build_digest()
    app.extensions["cartel_cache_control"] = f"public, max-age={app.config['CARTEL_PROXY_MAX_AGE']}"


def cache() -> RevisionCache:
    return current_app.extensions["cartel_cache"]


def etag(*parts: Hashable) -> str:
    """An entity tag for a representation: the parts (kind, revision, language) and the build."""
    return "-".join(str(p) for p in (*parts, current_app.extensions["cartel_build"]))


def personal() -> bool:
    """Whether this visitor must get a page of their own (logged in, or a message to show once)."""
    if current_app.config["SESSION_COOKIE_NAME"] not in request.cookies:
        return False  # no session cookie: nothing personal, and no session to open
    return "_user_id" in session or "_flashes" in session


def _shared_headers(response: Response, tag: str) -> Response:
    headers = response.headers
    headers["ETag"] = f'"{tag}"'
    headers["Cache-Control"] = current_app.extensions["cartel_cache_control"]
    headers["Vary"] = "Cookie"  # the language and the login live in cookies
    return response


def still_valid(tag: str) -> bool:
    """Whether the request's If-None-Match names ``tag`` (weak comparison, as RFC 9110 asks)."""
    return "If-None-Match" in request.headers and request.if_none_match.contains_weak(tag)


def serve(
    key: Hashable,
    tag: str,
    render: Callable[[], str | bytes],
    *,
    mimetype: str = "text/html",
    shared: bool | None = None,
) -> Response:
    """The response for a public representation identified by ``key`` and entity tag ``tag``.

    ``tag`` must change whenever the body would (derive it from the revision and the language):
    a conditional request that still holds it gets a 304 without anything being computed.
    ``shared``: the body is the same for every visitor (default: unless the visitor is logged in
    or has a message waiting).
    """
    shared = (not personal()) if shared is None else shared
    if not shared:
        response = Response(render(), mimetype=mimetype)
        response.headers["Cache-Control"] = "private, no-store"
        response.headers["Vary"] = "Cookie"
        return response
    if still_valid(tag):
        return _shared_headers(Response(status=304), tag)

    def stored() -> bytes:
        body = render()
        return body if isinstance(body, bytes) else body.encode()

    body = cache().get(("bytes", key), tag, stored)
    return _shared_headers(Response(body, mimetype=mimetype), tag)
