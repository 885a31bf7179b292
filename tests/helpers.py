"""What several test modules share, as plain functions and constants (the fixtures are in conftest.py):
the test configuration, logging in, reading a page, entry-form data, the API's validation against its
OpenAPI document, counting queries, the pages a write must refresh, the charts' SVG, and a live server
for a real browser. No test module imports from another test module or from a conftest."""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import shutil
import threading
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import sqlalchemy as sa
from flask import Flask
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from sqlalchemy import event
from werkzeug.serving import make_server

from cartel import ROOT, create_app
from cartel.extensions import db
from cartel.models import Placement, ProgrammeEntry
from cartel.read import published, revisions
from cartel.web.api.views import OPENAPI

# --- the test app -----------------------------------------------------------------------------------

POSTGRES_URL = os.environ.get("CARTEL_TEST_DATABASE_URL")
SEEDS = ROOT / "seeds"
INJECTION = '=HYPERLINK("http://x","y")'  # a school name that a spreadsheet would take for a formula
PASSWORD = "correct horse battery"  # every test user's, unless a test says otherwise


def config_for(url: str) -> dict:
    """The test configuration on the database at ``url``: CSRF off, a fixed key, a server name."""
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "SECRET_KEY": "test",
        "SERVER_NAME": "localhost",
    }


def asset(filename: str) -> str:
    """The address pages give a static file: its path and a digest of its bytes (cartel.web.assets)."""
    digest = hashlib.sha256((ROOT / "static" / filename).read_bytes()).hexdigest()[:12]
    return f"/static/{filename}?v={digest}"


def login(client, email: str, password: str = PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


# --- pages and forms --------------------------------------------------------------------------------


def text(response) -> str:
    """The visible text of a page's main element, whitespace collapsed."""
    page = response.get_data(as_text=True)
    main = page.split("<main", 1)[1]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", main)).split())


def podium_form(*rows, state="final", version=0, submission_id="sub-1", tied=()):
    """The entry form's data: rows of school slugs (a tuple for a joint team); ``tied`` lists rows ex aequo
    with the row above."""
    data = {"state": state, "version": str(version), "submission_id": submission_id}
    for k, team in enumerate(rows, start=1):
        team = (team,) if isinstance(team, str) else team
        if team:
            data[f"row-{k}-school"] = team[0]
            if len(team) > 1:
                data[f"row-{k}-partners"] = list(team[1:])
        if k in tied:
            data[f"row-{k}-tied"] = "on"
    return data


def entry_of(live, discipline) -> ProgrammeEntry:
    """The live edition's programme entry for ``discipline``, as the database holds it now."""
    db.session.expire_all()
    return db.session.scalar(
        sa.select(ProgrammeEntry).filter_by(edition_id=live.edition.id, discipline_id=discipline.id)
    )


def places(live, discipline) -> list[tuple[int, tuple[str, ...]]]:
    """The saved placings of ``discipline`` in the live edition: (place, sorted school slugs)."""
    rows = db.session.execute(
        sa.select(Placement.place, Placement.id)
        .filter_by(edition_id=live.edition.id, discipline_id=discipline.id)
        .order_by(Placement.place, Placement.id)
    ).all()
    result = []
    for place, placement_id in rows:
        placement = db.session.get(Placement, placement_id)
        result.append((place, tuple(sorted(s.slug for s in placement.schools))))
    return result


def view_of(year: int = 2026) -> published.EditionView:
    """The edition's public view at its current revision, read afresh."""
    db.session.remove()
    return published.edition_view(*revisions.edition_revision(year))


# --- the API against its OpenAPI document -----------------------------------------------------------

DOCUMENT = json.loads(OPENAPI.read_text(encoding="utf-8"))
REGISTRY = Registry().with_resource(
    "urn:cartel-openapi", Resource.from_contents(DOCUMENT, default_specification=DRAFT202012)
)


def documented(path: str) -> str:
    """The OpenAPI path template a concrete path matches."""
    for template in DOCUMENT["paths"]:
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if re.match(pattern, path):
            return template
    raise AssertionError(f"{path} is not in the OpenAPI document")


def check_api(client, url: str, status: int = 200, seen: set | None = None, **headers) -> dict | None:
    """GET ``url``, then validate its status and JSON body against the document."""
    response = client.get(url, headers=headers)
    assert response.status_code == status, (url, response.status_code, response.get_data(as_text=True)[:300])
    template = documented(url.split("?")[0])
    if seen is not None:
        seen.add(template)
    described = DOCUMENT["paths"][template]["get"]["responses"]
    assert str(status) in described, (url, status)
    if status == 304:
        assert response.get_data() == b""
        return None
    assert response.mimetype == "application/json"
    body = response.get_json()
    schema = described[str(status)]["content"]["application/json"]["schema"]
    if "$ref" in schema:
        schema = {"$ref": "urn:cartel-openapi" + schema["$ref"]}
    errors = sorted(Draft202012Validator(schema, registry=REGISTRY).iter_errors(body), key=str)
    assert not errors, (url, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]])
    return body


# --- queries and caches -----------------------------------------------------------------------------


class QueryCounter:
    """Counts SQL statements: those of SQLAlchemy, and the revision reads that go straight to the
    DBAPI connection (cartel.read.revisions.execute)."""

    def __init__(self, engine):
        self.engine, self.count = engine, 0

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self.tick)
        self.direct = revisions.execute

        def counted(*args, **kwargs):
            self.count += 1
            return self.direct(*args, **kwargs)

        revisions.execute = counted
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self.tick)
        revisions.execute = self.direct

    def tick(self, conn=None, cursor=None, statement="", *args):
        if not statement.startswith("BEGIN"):  # SQLite's transaction start (cartel.database), not a query
            self.count += 1


# The pages whose ETag a write to the live edition 2026 must change, and those of the whole history.
EDITION_URLS = [
    "/editions/2026",
    "/editions/2026/live?lang=fr",
    "/api/editions/2026",
    "/api/editions/2026/results",
    "/api/editions/2026/latest",
]
HISTORY_URLS = [
    "/",
    "/live?lang=fr",
    "/editions",
    "/records",
    "/schools/ales",
    "/api/editions",
    "/api/records",
    "/api/schools",
    "/api/schools/ales",
]


# --- charts -----------------------------------------------------------------------------------------

SVG = "{http://www.w3.org/2000/svg}"


def chart(page: str, chart_id: str) -> ET.Element | None:
    """The SVG chart labelled ``chart_id`` on a page, parsed, or None."""
    found = re.search(rf'<svg[^>]*aria-labelledby="{chart_id}-title.*?</svg>', page, re.S)
    return ET.fromstring(found.group(0)) if found else None


# --- a live server for a real browser (the browser fixtures are in tests/browser/conftest.py) -------


def browser_app(template_database, tmp_path, **settings) -> Flask:
    """The app on a copy of the migrated test database, CSRF on, as a browser meets it."""
    copy = tmp_path / "browser.sqlite3"
    shutil.copy(template_database, copy)
    config = {**config_for(f"sqlite:///{copy}"), "WTF_CSRF_ENABLED": True, **settings}
    config.pop("SERVER_NAME")
    return create_app(config)


def serving(app):
    """Serve ``app`` on a free port of 127.0.0.1 for a fixture to yield; ``stop()`` takes it down."""
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()

    def stop():
        http.shutdown()
        http.server_close()

    yield SimpleNamespace(url=f"http://127.0.0.1:{http.server_port}", app=app, stop=stop)
    stop()
    thread.join(5)
    with app.app_context():
        db.engine.dispose()


class TapCounter:
    """Counts the taps an organiser makes, to check the podium's tap budget."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def tap(self, selector: str) -> None:
        self.count += 1
        self.page.locator(selector).click()


def sign_in(page, server: str, email: str, password: str = PASSWORD) -> None:
    """Log a browser's ``page`` in through the French login form, as a user types it."""
    page.goto(f"{server}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


def login_organiser(browser, server):
    """A phone-sized page of ``browser`` logged in as the organiser of the ``running`` fixture."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR", has_touch=True)
    page = context.new_page()
    sign_in(page, server, "orga@example.org")
    page.wait_for_url(f"{server}/saisie/")
    return page


def form_data(html: str, holding: str) -> dict[str, str]:
    """What a browser would post from the page's first form that has a field named ``holding``: inputs
    with their values (checkboxes and radios only when checked), selects' selected options (else their
    first), textareas; buttons left out."""
    from html.parser import HTMLParser

    class Forms(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.forms: list[dict[str, str]] = []
            self.data: dict[str, str] | None = None
            self.select: str | None = None
            self.first = True
            self.textarea: str | None = None

        def handle_starttag(self, tag, attrs):
            a = {k: v or "" for k, v in attrs}
            if tag == "form":
                self.data = {}
                self.forms.append(self.data)
            if self.data is None:
                return
            if tag == "input" and a.get("name") and a.get("type") not in ("submit", "button"):
                if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                    self.data.setdefault("\0" + a["name"], "")  # the field is there, unticked
                    return
                self.data[a["name"]] = a.get("value", "on" if a.get("type") == "checkbox" else "")
            elif tag == "select":
                self.select, self.first = a.get("name"), True
            elif tag == "option" and self.select:
                if self.first or "selected" in a:
                    self.data[self.select] = a.get("value", "")
                self.first = False
            elif tag == "textarea":
                self.textarea = a.get("name")
                self.data[self.textarea] = ""

        def handle_data(self, data):
            if self.textarea and self.data is not None:
                self.data[self.textarea] += data

        def handle_endtag(self, tag):
            if tag == "select":
                self.select = None
            elif tag == "textarea":
                self.textarea = None
            elif tag == "form":
                self.data = None

    parser = Forms()
    parser.feed(html)
    for form in parser.forms:
        if holding in form or "\0" + holding in form:
            return {k: v.strip("\n") for k, v in form.items() if not k.startswith("\0")}
    raise AssertionError(f"no form with a field named {holding!r}")
