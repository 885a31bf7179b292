"""Who may do what: roles, discipline scopes, entry links, login throttling, CSRF, sessions."""

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from cartel import create_app
from cartel.extensions import db
from cartel.models import AuditEntry, EntryLink, LoginFailure, User
from tests.conftest import login
from tests.test_entry import places, podium
from tests.test_public import text


def test_anonymous_visitors_are_sent_to_the_login_page(client, live):
    for method, url in [
        ("get", "/saisie/"),
        ("get", "/saisie/handball-men"),
        ("post", "/saisie/handball-men"),
        ("get", "/admin/"),
        ("get", "/saisie/adjustments"),
    ]:
        response = getattr(client, method)(url, data=podium("ales") if method == "post" else None)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    assert places(live, live.hb) == []


def test_organiser_limited_to_some_disciplines(client, make_user, live):
    make_user("hand@example.org", disciplines=[live.hb])
    login(client, "hand@example.org")
    assert client.post("/saisie/handball-men", data=podium("ales")).status_code == 303
    assert client.post("/saisie/football-women", data=podium("ales", submission_id="x")).status_code == 403
    assert client.get("/saisie/football-women").status_code == 403
    page = text(client.get("/saisie/"))
    assert "Handball masculin" in page and "Football féminin" not in page


def test_organisers_cannot_administer(client, make_user, live):
    make_user("orga@example.org")
    login(client, "orga@example.org")
    assert client.get("/admin/").status_code == 403
    assert client.post("/admin/editions/2026/status", data={"target": "finished"}).status_code == 403
    assert (
        client.post(
            "/admin/users", data={"email": "x@example.org", "role": "admin", "password": "0123456789"}
        ).status_code
        == 403
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_inactive_account_cannot_log_in(client, make_user, live):
    user = make_user("gone@example.org")
    user.active = False
    db.session.commit()
    assert login(client, "gone@example.org").status_code == 401


def test_login_renews_the_session(client, make_user, live):
    make_user("orga@example.org")
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    assert login(client, "orga@example.org").status_code == 302
    with client.session_transaction() as session:
        assert "planted" not in session and session.get("_user_id")


def test_failed_logins_are_throttled_per_account(client, make_user, live):
    make_user("orga@example.org")
    for _ in range(5):
        assert login(client, "orga@example.org", "wrong password").status_code == 401
    response = login(client, "orga@example.org")  # even the right password waits
    assert response.status_code == 429
    assert "Trop d'essais infructueux. Attendez 15 minutes avant de réessayer." in text(response)
    db.session.execute(sa.update(LoginFailure).values(at=dt.datetime(2000, 1, 1)))
    db.session.commit()
    assert login(client, "orga@example.org").status_code == 302


def test_failed_logins_are_throttled_per_address(client, make_user, live):
    make_user("orga@example.org")
    for i in range(20):
        login(client, f"guess{i}@example.org", "wrong password")
    assert login(client, "orga@example.org").status_code == 429


def test_forms_require_a_csrf_token(template_database, tmp_path):
    import shutil

    from tests.conftest import POSTGRES_URL, _config

    url = POSTGRES_URL
    if not url:
        copy = tmp_path / "csrf.sqlite3"
        shutil.copy(template_database, copy)
        url = f"sqlite:///{copy}"
    app = create_app({**_config(url), "WTF_CSRF_ENABLED": True})
    with app.app_context():
        client = app.test_client()
        response = client.post("/login", data={"email": "a@example.org", "password": "x"})
        assert response.status_code == 400
        assert "Le formulaire a expiré" in text(response)
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        response = client.post("/login", data={"email": "a@example.org", "password": "x", "csrf_token": token})
        assert response.status_code == 401  # the token passed; the account does not exist
        db.session.remove()
        db.engine.dispose()


# --- entry links ----------------------------------------------------------------------------------


def issue_link(admin, discipline_slug="handball-men", hours=24):
    response = admin.post("/admin/links", data={"disciplines": [discipline_slug], "label": "Gymnase", "hours": hours})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<svg" in page  # the QR code
    return re.search(r'class="url">http://localhost(/e/[\w-]+)<', page).group(1)


def test_entry_link_enters_its_discipline_only(admin, app, live):
    path = issue_link(admin)
    holder = app.test_client()
    response = holder.get(path)
    assert response.status_code == 302 and response.headers["Location"].endswith("/saisie/handball-men")
    assert holder.post("/saisie/handball-men", data=podium("ales", "albi")).status_code == 303
    assert holder.post("/saisie/football-women", data=podium("ales", submission_id="2")).status_code == 403
    assert holder.get("/saisie/adjustments").status_code == 302  # accounts only
    entry = db.session.scalars(sa.select(AuditEntry).filter_by(action="result.save")).one()
    assert entry.link_id is not None and entry.user_id is None
    assert "lien : Gymnase" in text(holder.get("/saisie/handball-men/history"))


def test_revoked_or_expired_link_stops_working(admin, app, live):
    path = issue_link(admin)
    holder = app.test_client()
    holder.get(path)
    link = db.session.scalars(sa.select(EntryLink)).one()
    assert admin.post(f"/admin/links/{link.id}/revoke").status_code == 303
    assert holder.post("/saisie/handball-men", data=podium("ales")).status_code in (302, 403)
    assert holder.get(path).status_code == 410
    second = issue_link(admin, hours=1)
    link = db.session.scalars(sa.select(EntryLink).order_by(EntryLink.id.desc())).first()
    link.expires_at = dt.datetime(2000, 1, 1)
    db.session.commit()
    assert app.test_client().get(second).status_code == 410
    assert app.test_client().get("/e/not-a-token").status_code == 404
    assert places(live, live.hb) == []


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/editions/2026", "/editions/2026"),
        ("//evil.com", "/saisie/"),
        ("////evil.com", "/saisie/"),
        ("/\t/evil.com", "/saisie/"),
        ("/\r\nX: y", "/saisie/"),
    ],
)
def test_login_goes_back_only_to_a_page_of_this_site(client, make_user, target, expected):
    make_user("orga@example.org")
    response = client.post(
        "/login", query_string={"next": target}, data={"email": "orga@example.org", "password": "correct horse battery"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == expected
