"""Headers on every answer, proxies, cookies (the configuration that refuses unsafe settings:
tests/unit/test_security.py)."""

from __future__ import annotations

import re

import sqlalchemy as sa

from cartel import create_app
from cartel.extensions import db
from cartel.models import LoginThrottle
from cartel.web.security import CONTENT_SECURITY_POLICY
from tests.helpers import PASSWORD, podium_form

PAGES = [
    "/",
    "/editions",
    "/editions/2026",
    "/records",
    "/schools/ales",
    "/login",
    "/api/editions/2026",
    "/editions/2026/live?lang=fr",
    "/editions/2026/screen",
    "/editions/2026/screen/live?lang=fr",
    "/nowhere",
    "/api/nowhere",
]


def test_every_answer_carries_the_security_headers(live, client):
    for url in PAGES:
        response = client.get(url)
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, url
        assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY and "default-src 'self'" in CONTENT_SECURITY_POLICY
        assert response.headers["X-Content-Type-Options"] == "nosniff", url
        assert response.headers["Referrer-Policy"] == "same-origin", url
    again = client.get("/editions/2026", headers={"If-None-Match": client.get("/editions/2026").headers["ETag"]})
    assert again.status_code == 304 and again.headers["X-Content-Type-Options"] == "nosniff"


def inline_code(html: str) -> list[str]:
    """Inline scripts, style elements and style attributes: what the CSP would block."""
    return (
        re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html)
        + re.findall(r"<style\b", html)
        + re.findall(r"\sstyle=", html)
        + re.findall(r"\son[a-z]+=", html)
    )


def test_no_page_needs_inline_script_or_style(admin, live, client):
    urls = PAGES + [
        "/saisie/",
        "/saisie/handball-men",
        "/saisie/adjustments",
        "/saisie/import",
        "/admin/",
        "/admin/editions/2026",
        "/admin/editions/2026/details",
        "/admin/editions/2026/participants",
        "/admin/editions/2026/programme",
        "/admin/editions/2026/scheme",
        "/admin/editions/2026/organisers",
        "/admin/links",
        "/admin/users",
        "/admin/schools",
        "/admin/audit",
    ]
    for url in urls:
        assert inline_code(admin.get(url).get_data(as_text=True)) == [], url


def test_the_entry_link_sheet_is_never_stored(admin, live):
    response = admin.post("/admin/links", data={"disciplines": ["handball-men"], "label": "Gymnase", "hours": 24})
    assert response.status_code == 200 and "/e/" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    assert inline_code(response.get_data(as_text=True)) == []


def test_language_cookie_is_secure_when_cookies_must_be(app, client):
    assert "Secure" not in client.get("/language/en").headers["Set-Cookie"]
    app.config["CARTEL_SECURE_COOKIES"] = True
    assert "Secure" in client.get("/language/en").headers["Set-Cookie"]


def test_behind_a_trusted_proxy_the_client_address_is_the_forwarded_one(app, make_user):
    proxied = create_app({**app.config, "CARTEL_TRUSTED_PROXIES": 1})
    client = proxied.test_client()
    with proxied.app_context():
        client.post(
            "/login",
            data={"email": "nobody@example.org", "password": "wrong password here"},
            headers={"X-Forwarded-For": "203.0.113.7"},
        )
    direct = app.test_client()
    direct.post(
        "/login",
        data={"email": "nobody@example.org", "password": "wrong password here"},
        headers={"X-Forwarded-For": "203.0.113.9"},
    )  # not trusted without the setting
    db.session.remove()
    keys = sorted(db.session.scalars(sa.select(LoginThrottle.key).where(LoginThrottle.key.startswith("address:"))))
    assert keys == ["address:127.0.0.1", "address:203.0.113.7"]
    with proxied.app_context():
        db.engine.dispose()


def test_behind_a_trusted_proxy_a_session_goes_on_when_the_client_address_changes(app, make_user, live):
    make_user("orga@example.org")
    db.session.commit()
    proxied = create_app({**app.config, "CARTEL_TRUSTED_PROXIES": 1})
    client = proxied.test_client()  # each request in an app context of its own (nothing kept in ``g``)
    data = {"email": "orga@example.org", "password": PASSWORD}
    assert client.post("/login", data=data, headers={"X-Forwarded-For": "203.0.113.7"}).status_code == 302
    assert client.get("/saisie/", headers={"X-Forwarded-For": "198.51.100.23"}).status_code == 200
    saved = client.post(
        "/saisie/handball-men", data=podium_form("ales", "albi"), headers={"X-Forwarded-For": "2001:db8::9"}
    )
    assert saved.status_code == 303
    with proxied.app_context():
        db.engine.dispose()


def test_healthz_says_whether_the_database_answers(app, client, tmp_path):
    response = client.get("/healthz")
    assert (response.status_code, response.text, response.headers["Cache-Control"]) == (200, "ok", "no-store")
    empty = tmp_path / "never-migrated.sqlite3"  # a database without the app's tables
    broken = create_app({**app.config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{empty}"}).test_client()
    response = broken.get("/healthz")
    assert (response.status_code, response.text) == (503, "database unavailable")
    assert broken.get("/health").status_code == 200  # the constant route does not look


def test_every_page_title_is_plain_text(admin, live, client):
    """A browser tab, a bookmark or a search result shows the <title>: never markup."""
    urls = [u for u in PAGES if not u.startswith("/api/") and "/live" not in u] + ["/admin/", "/admin/editions/2026"]
    for url in urls:
        page = admin.get(url).get_data(as_text=True)
        title = re.search(r"<title>(.*?)</title>", page, re.S)
        assert title is not None and "<" not in title.group(1) and title.group(1).strip(), (url, title)
