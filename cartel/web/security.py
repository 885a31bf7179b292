"""Response headers that keep the pages in their place, and what sits between the app and the net."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain

from flask import Flask, Response, abort, request
from flask_babel import gettext as _
from werkzeug.middleware.proxy_fix import ProxyFix

from cartel.write.embeds import allowed_origins

# No inline script or style anywhere: everything comes from static/. Pictures may be data: URLs (the
# blank favicon); nothing may frame the pages; forms post only here.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",  # entry-link tokens live in URLs: never sent to another site
}
# Pages for one person: forms with their submission ids and tokens, accounts, links. Nothing keeps a
# copy (no proxy, no browser cache), so Back shows the page again from the server, never an old form
# whose id was already used.
EMBEDS = "/embed/"  # the embeddable widgets' addresses
PERSONAL_BLUEPRINTS = frozenset({"entry", "admin", "auth", "links"})


def init_app(app: Flask) -> None:
    if app.config["CARTEL_TRUSTED_PROXIES"]:
        hops = app.config["CARTEL_TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    @app.before_request
    def refuse_nul_characters() -> None:
        """A NUL character belongs in no address, code or form field, and PostgreSQL refuses it in text:
        a request that carries one is refused as such (400), before any view looks it up."""
        values: Iterable[str] = [request.path]
        if request.query_string:  # most requests have none: nothing to parse then
            values = chain(values, *request.args.listvalues())
        if request.method == "POST":
            values = chain(values, *request.form.listvalues())
        if any("\x00" in value for value in values):
            abort(400, description=_("The request contains a NUL character (\\0): remove it and try again."))

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.update(HEADERS)
        if request.path.startswith(EMBEDS):  # the widgets: framed by the sites an administrator lists only
            sites = " ".join(["'self'", *allowed_origins()])
            response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
                "frame-ancestors 'none'", f"frame-ancestors {sites}"
            )
            del response.headers["X-Frame-Options"]
        if request.blueprint in PERSONAL_BLUEPRINTS:
            response.headers.setdefault("Cache-Control", "private, no-store")  # unless a view said no-store
        return response
