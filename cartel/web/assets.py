"""Static files under addresses that name their content: /static/css/cartel.css?v=<hash of the file>.

Every ``url_for("static", ...)`` gets ``v``, a digest of the file's bytes, so an address never serves two
different files: browsers and nginx (deploy/nginx.conf) keep a fingerprinted file a year without asking
again (``immutable``), and a release that changes a file changes its address. An address without the
current digest (typed by hand, or a page computed before a release) gets the file with Flask's default
revalidation, never the year-long promise.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

from flask import Flask, Response, request
from werkzeug.security import safe_join

YEAR = 365 * 24 * 3600


class Fingerprints:
    """The digest of each static file, computed once per version of the file (its size and time of
    change), so a file edited while the server runs gets a new address at once."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self._known: dict[str, tuple[tuple[int, int], str]] = {}
        self._lock = threading.Lock()

    def digest(self, filename: str) -> str | None:
        """The file's digest (12 hex digits), or None when no such file is in the folder."""
        path = safe_join(self.folder, filename)
        if path is None:
            return None
        try:
            stat = os.stat(path)
        except OSError:
            return None
        version = (stat.st_size, stat.st_mtime_ns)
        known = self._known.get(filename)
        if known is not None and known[0] == version:
            return known[1]
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]
        with self._lock:
            self._known[filename] = (version, digest)
        return digest


def init_app(app: Flask) -> None:
    assert app.static_folder is not None  # the app is created with one
    prints = Fingerprints(app.static_folder)

    @app.url_defaults
    def fingerprint(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "v" not in values and (digest := prints.digest(values.get("filename", ""))):
            values["v"] = digest

    @app.after_request
    def keep_a_year(response: Response) -> Response:
        """A fingerprinted file that is the current one: public, a year, immutable."""
        if request.endpoint != "static" or response.status_code != 200:
            return response
        filename = (request.view_args or {}).get("filename", "")
        if request.args.get("v") and request.args.get("v") == prints.digest(filename):
            response.cache_control.public = True
            response.cache_control.max_age = YEAR
            response.cache_control.immutable = True
            response.cache_control.no_cache = None
        return response
