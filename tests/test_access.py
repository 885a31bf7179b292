"""Who may do what: roles, discipline scopes, entry links, login throttling, CSRF, sessions."""

import datetime as dt
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from html import unescape

import pytest
import sqlalchemy as sa

from cartel import create_app
from cartel.extensions import db
from cartel.models import AuditEntry, Edition, EditionStatus, EntryLink, LoginThrottle, Role, User
from cartel.words.typography import french
from tests.helpers import POSTGRES_URL, asset, config_for, login, places, podium_form, text


def test_anonymous_visitors_are_sent_to_the_login_page(client, live):
    for method, url in [
        ("get", "/saisie/"),
        ("get", "/saisie/handball-men"),
        ("post", "/saisie/handball-men"),
        ("get", "/admin/"),
        ("get", "/saisie/adjustments"),
    ]:
        response = getattr(client, method)(url, data=podium_form("ales") if method == "post" else None)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    assert places(live, live.hb) == []


def test_organiser_limited_to_some_disciplines(client, make_user, live):
    make_user("hand@example.org", disciplines=[live.hb])
    login(client, "hand@example.org")
    assert client.post("/saisie/handball-men", data=podium_form("ales")).status_code == 303
    assert client.post("/saisie/football-women", data=podium_form("ales", submission_id="x")).status_code == 403
    assert client.get("/saisie/football-women").status_code == 403
    page = text(client.get("/saisie/"))
    assert "Handball masculin" in page and "Football féminin" not in page


def test_organisers_cannot_administer(client, make_user, live):
    make_user("orga@example.org")
    login(client, "orga@example.org")
    assert client.get("/admin/").status_code == 403
    assert client.post("/admin/editions/2026/status", data={"target": "finished", "confirm": "yes"}).status_code == 403
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


ELSEWHERE = {"REMOTE_ADDR": "198.51.100.2"}  # the real user, on another network than the attacker


def login_from(client, email, password="correct horse battery", address="127.0.0.1"):
    return client.post("/login", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address})


def age_failures(seconds: int) -> None:
    """As if the last failed attempts were ``seconds`` older."""
    for row in db.session.scalars(sa.select(LoginThrottle)):
        row.last_at -= dt.timedelta(seconds=seconds)
    db.session.commit()


def test_failed_logins_slow_the_attacker_without_locking_the_real_user_out(client, make_user, live):
    make_user("orga@example.org")
    for _ in range(5):
        assert login(client, "orga@example.org", "wrong password").status_code == 401
    response = login(client, "orga@example.org")  # from the attacker's address even the right password waits
    assert response.status_code == 429 and response.headers["Retry-After"] == "30"
    assert "Trop d'essais infructueux. Attendez 30 secondes avant de réessayer." in text(response)
    assert login_from(client, "orga@example.org", address="198.51.100.2").status_code == 302  # elsewhere: in
    client.post("/logout")
    age_failures(31)
    assert login(client, "orga@example.org", "wrong password").status_code == 401  # one more try after the wait
    assert login(client, "orga@example.org").headers["Retry-After"] == "60"  # then twice as long
    age_failures(61)
    assert login(client, "orga@example.org").status_code == 302
    assert db.session.get(LoginThrottle, "pair:orga@example.org 127.0.0.1") is None  # forgotten once in


def fail_from_address(client, count: int, address: str = "127.0.0.1", first: int = 0) -> None:
    """``count`` failed logins on made-up e-mails from one address: a venue's shared (NAT) address."""
    for i in range(first, first + count):
        assert login_from(client, f"made-up{i}@example.org", "wrong password", address).status_code == 401


def test_strangers_failures_at_a_shared_address_never_keep_an_organiser_out(client, make_user, live):
    for email in ("admin@example.org", "orga@example.org", "hand@example.org"):
        make_user(email, role="admin" if email.startswith("admin") else "organiser")
    fail_from_address(client, 22)
    for email in ("admin@example.org", "orga@example.org", "hand@example.org"):
        assert login(client, email).status_code == 302  # the right password, same address: in at once
        client.post("/logout")
    fail_from_address(client, 30, first=22)  # and on
    assert login(client, "orga@example.org").status_code == 302


def test_a_suspect_address_gets_one_check_per_email_and_delay_account_or_not(client, make_user, live, monkeypatch):
    """Past 20 failures, an address no longer has 5 free tries per e-mail but 1: guessing from it is
    slowed, the same way whether the e-mail is an account (nothing learnt about which are), and never
    more password checks than the delays allow: no oracle for guessing."""
    from cartel.web.auth import views

    make_user("orga@example.org")
    fail_from_address(client, 20)
    checks = []
    real_check = views.check_password_hash
    monkeypatch.setattr(views, "check_password_hash", lambda h, p: checks.append(p) or real_check(h, p))
    answers = {}
    for email in ("orga@example.org", "nobody@example.org"):
        responses = [login(client, email, f"guess {n}") for n in range(4)]
        answers[email] = [(r.status_code, r.headers.get("Retry-After")) for r in responses]
    assert answers["orga@example.org"] == answers["nobody@example.org"] == [(401, None)] + [(429, "30")] * 3
    assert len(checks) == 2  # one per e-mail
    assert login(client, "orga@example.org").status_code == 429  # the account's own failure: it waits too
    assert login_from(client, "orga@example.org", address="198.51.100.2").status_code == 302  # elsewhere: in
    client.post("/logout")
    age_failures(31)
    assert login(client, "orga@example.org").status_code == 302  # after its delay


def throttle_rows() -> list[tuple[str, int, dt.datetime]]:
    db.session.expire_all()
    return sorted(db.session.execute(sa.select(LoginThrottle.key, LoginThrottle.failures, LoginThrottle.last_at)))


def test_a_refused_attempt_writes_nothing(client, make_user, live):
    make_user("orga@example.org")
    refused = 0
    for i in range(30):
        for email in (f"made-up{i}@example.org", f"made-up{i}@example.org", "orga@example.org"):
            before = throttle_rows()
            response = login(client, email, "wrong password")
            if response.status_code == 429:
                refused += 1
                assert throttle_rows() == before, (i, email)
    assert refused > 30
    assert len(throttle_rows()) == 32  # a counter per e-mail tried, and the address's


def test_forgotten_counters_are_deleted_a_batch_at_a_time(client, make_user, live):
    long_ago = dt.datetime(2020, 1, 1)
    db.session.add_all(
        LoginThrottle(key=f"pair:old{i}@example.org 10.0.0.1", failures=3, last_at=long_ago) for i in range(120)
    )
    db.session.commit()
    assert login(client, "nobody@example.org", "wrong password").status_code == 401
    assert len(throttle_rows()) == 120 - 50 + 2  # a batch (PURGE_BATCH) deleted; this attempt's two counters
    for _ in range(2):
        login(client, "nobody@example.org", "wrong password")
    assert [key for key, _n, _at in throttle_rows()] == ["address:127.0.0.1", "pair:nobody@example.org 127.0.0.1"]


def test_parallel_attempts_get_no_more_password_checks_than_allowed(app, make_user, live, monkeypatch):
    from cartel.web.auth import views

    make_user("orga@example.org")
    checks, lock = [], threading.Lock()
    real_check = views.check_password_hash

    def counted(hash_, password):
        with lock:
            checks.append(password)
        return real_check(hash_, password)

    monkeypatch.setattr(views, "check_password_hash", counted)
    start = threading.Barrier(20)

    def attempt(n):
        client = app.test_client()
        start.wait()
        return [login(client, "orga@example.org", f"wrong password {n}").status_code for _ in range(2)]

    with ThreadPoolExecutor(20) as pool:
        statuses = [s for batch in pool.map(attempt, range(20)) for s in batch]
    assert len(checks) == 5 and sorted(set(statuses)) == [401, 429] and statuses.count(401) == 5


def test_an_unknown_email_costs_the_same_work_as_a_wrong_password(client, make_user, live, monkeypatch):
    from cartel.web.auth import views

    make_user("orga@example.org")
    hashes = []
    real_check = views.check_password_hash
    monkeypatch.setattr(views, "check_password_hash", lambda h, p: hashes.append(h) or real_check(h, p))
    assert login(client, "orga@example.org", "wrong password").status_code == 401
    assert login(client, "nobody@example.org", "wrong password").status_code == 401
    method = [h.rsplit("$", 2)[0] for h in hashes]  # "scrypt:32768:8:1": same algorithm, same cost
    assert len(hashes) == 2 and method[0] == method[1]


def test_a_session_copied_before_logout_is_worthless_after_it(app, client, make_user, live):
    make_user("orga@example.org")
    assert login(client, "orga@example.org").status_code == 302
    copy = app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value)
    assert copy.get("/saisie/").status_code == 200  # the stolen cookie works while the session lasts
    client.post("/logout")
    assert copy.get("/saisie/").status_code == 302  # and no longer after the logout


@pytest.mark.parametrize(
    "moved",
    [
        {"environ_base": {"REMOTE_ADDR": "203.0.113.50"}},  # Wi-Fi to 4G
        {"environ_base": {"REMOTE_ADDR": "2001:db8::7"}},  # a new IPv6 address
        {"headers": {"X-Forwarded-For": "198.51.100.77"}},  # a proxy on the way says another address
    ],
)
def test_a_session_goes_on_when_the_phone_changes_address(client, make_user, live, moved):
    """The same phone (same browser, same User-Agent) on another network: the save in flight is made."""
    make_user("orga@example.org")
    assert login_from(client, "orga@example.org", address="192.0.2.10").status_code == 302
    response = client.post("/saisie/handball-men", data=podium_form("ales", "albi", "nancy"), **moved)
    assert response.status_code == 303
    assert places(live, live.hb) == [(1, ("ales",)), (2, ("albi",)), (3, ("nancy",))]
    assert client.get("/saisie/", **moved).status_code == 200
    assert client.get("/saisie/").status_code == 200  # and back on the first network


@pytest.mark.parametrize("change", [{"password": "a brand new password"}, {"active": ""}])
def test_a_password_change_or_a_deactivation_ends_the_accounts_sessions(app, admin, make_user, change):
    user = make_user("orga@example.org")
    organiser = app.test_client()
    assert login(organiser, "orga@example.org").status_code == 302
    assert organiser.get("/saisie/").status_code == 200
    form = {"email": "orga@example.org", "role": "organiser", "active": "y", "password": ""}
    response = admin.post(f"/admin/users/{user.id}", data={**form, **change})
    assert response.status_code == 303
    assert organiser.get("/saisie/").status_code == 302
    assert admin.get("/admin/").status_code == 200  # the administrator's own session goes on


def test_changing_ones_own_password_keeps_this_session_and_ends_the_others(app, admin):
    me = db.session.scalar(sa.select(User).filter_by(email="admin@example.org"))
    other_device = app.test_client()
    assert login(other_device, "admin@example.org").status_code == 302
    form = {"email": "admin@example.org", "role": "admin", "active": "y", "password": "a brand new password"}
    assert admin.post(f"/admin/users/{me.id}", data=form).status_code == 303
    assert admin.get("/admin/").status_code == 200
    assert other_device.get("/admin/").status_code == 302


def test_only_admins_and_organisers_of_every_discipline_touch_penalties(client, make_user, live, adjust):
    from cartel.models import PointAdjustment

    make_user("hand@example.org", disciplines=[live.hb])
    existing = adjust(live.edition, live.schools[0], -2, "late")
    login(client, "hand@example.org")
    penalty = {"school": "albi", "points": "-1000", "reason": "spite"}
    assert client.get("/saisie/adjustments").status_code == 200  # may see them
    response = client.post("/saisie/adjustments", data=penalty)
    assert response.status_code == 403 and "organisateurs de toutes les disciplines" in text(response)
    assert client.get(f"/saisie/adjustments/{existing.id}/delete").status_code == 403
    assert client.post(f"/saisie/adjustments/{existing.id}/delete").status_code == 403
    db.session.expire_all()
    assert [a.reason for a in db.session.scalars(sa.select(PointAdjustment))] == ["late"]
    client.post("/logout")
    make_user("all@example.org")
    login(client, "all@example.org")
    assert client.post("/saisie/adjustments", data=penalty).status_code == 303
    assert client.post(f"/saisie/adjustments/{existing.id}/delete").status_code == 303
    db.session.expire_all()
    assert [a.reason for a in db.session.scalars(sa.select(PointAdjustment))] == ["spite"]


def test_penalty_points_have_at_most_two_decimals(organiser):
    response = organiser.post("/saisie/adjustments", data={"school": "albi", "points": "0.001", "reason": "x"})
    assert response.status_code == 422 and "au plus deux décimales" in text(response)


def test_forms_require_a_csrf_token(template_database, tmp_path):
    import shutil

    url = POSTGRES_URL
    if not url:
        copy = tmp_path / "csrf.sqlite3"
        shutil.copy(template_database, copy)
        url = f"sqlite:///{copy}"
    app = create_app({**config_for(url), "WTF_CSRF_ENABLED": True})
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
    assert holder.post("/saisie/handball-men", data=podium_form("ales", "albi")).status_code == 303
    assert holder.post("/saisie/football-women", data=podium_form("ales", submission_id="2")).status_code == 403
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
    response = holder.post("/saisie/handball-men", data=podium_form("ales"))
    assert response.status_code == 410  # no longer let in, and told why (not sent to the login page)
    assert places(live, live.hb) == []
    home = holder.get("/saisie/")  # the list of what the link allowed: gone, said so
    assert home.status_code == 410 and "révoqué ou a expiré" in text(home)
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


def test_the_header_leads_in_and_says_who_is_logged_in(client, make_user, live):
    page = client.get("/editions/2026").get_data(as_text=True)
    assert 'href="/login?next=/editions/2026' in page and "Connexion" in page
    make_user("orga@example.org")
    login(client, "orga@example.org")
    page = client.get("/editions/2026").get_data(as_text=True)
    assert "orga@example.org" in page and "Se déconnecter" in page and 'href="/login' not in page


def test_pages_that_need_an_account_say_so_and_lead_to_the_login(client, live):
    response = client.get("/saisie/adjustments", follow_redirects=True)
    assert response.request.path == "/login"
    assert "Cette page est réservée aux organisateurs : connectez-vous pour continuer." in text(response)


def test_with_no_live_edition_entry_tells_an_administrator_what_to_do(client, make_user, make_edition):
    make_edition(2027, status=EditionStatus.PLANNED)
    db.session.commit()
    make_user("admin@example.org", role="admin")
    make_user("orga@example.org")
    login(client, "admin@example.org")
    page = client.get("/saisie/").get_data(as_text=True)
    assert 'href="/admin/"' in page and "Préparer et ouvrir une édition" in page
    client.post("/logout")
    login(client, "orga@example.org")
    page = text(client.get("/saisie/"))
    assert "la saisie ouvrira quand un administrateur ouvrira l'édition" in page and "Préparer" not in page


# --- a result typed while the form's token expired ------------------------------------------------


def csrf_token_of(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def test_a_result_typed_on_an_expired_form_is_shown_again_and_nothing_is_saved(app, make_user, live, monkeypatch):
    """The form was opened two hours before its save (the token lives an hour, WTF_CSRF_TIME_LIMIT):
    the typed podium comes back with a fresh token and a message; the next tap saves it."""
    import flask_wtf.csrf
    from itsdangerous import TimestampSigner, URLSafeTimedSerializer

    class TwoHoursAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return super().get_timestamp() - 7200

    class OldTokens(URLSafeTimedSerializer):
        default_signer = TwoHoursAgo

    make_user("orga@example.org")
    guarded = create_app({**app.config, "WTF_CSRF_ENABLED": True})
    client = guarded.test_client()
    token = csrf_token_of(client.get("/login").get_data(as_text=True))
    login_form = {"email": "orga@example.org", "password": "correct horse battery", "csrf_token": token}
    assert client.post("/login", data=login_form).status_code == 302
    monkeypatch.setattr(flask_wtf.csrf, "URLSafeTimedSerializer", OldTokens)  # the tokens made now, not the session
    old_token = csrf_token_of(client.get("/saisie/handball-men").get_data(as_text=True))  # signed two hours ago
    monkeypatch.undo()
    typed = podium_form("ales", "albi", "nancy", "douai", tied=(4,), submission_id="typed-1")
    typed["csrf_token"] = old_token
    response = client.post("/saisie/handball-men", data=typed)
    assert response.status_code == 400
    assert "Le formulaire avait expiré : vérifiez et enregistrez à nouveau." in text(response)
    html = response.get_data(as_text=True)
    for row, school in enumerate(["ales", "albi", "nancy", "douai"], start=1):
        assert f'name="row-{row}-school" value="{school}" checked' in html
    assert 'name="row-4-tied" checked' in html
    assert 'name="version" value="0"' in html and 'name="submission_id" value="typed-1"' in html
    assert places(live, live.hb) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 0
    db.session.rollback()  # the other app's requests need the database's write lock

    fresh = csrf_token_of(html)
    assert fresh != old_token
    response = client.post("/saisie/handball-men", data=typed | {"csrf_token": fresh})
    assert response.status_code == 303
    db.session.expire_all()
    assert places(live, live.hb) == [(1, ("ales",)), (2, ("albi",)), (3, ("nancy",)), (3, ("douai",))]
    db.session.rollback()

    # other forms keep the plain page; and nobody gets a form they may not fill
    response = client.post("/saisie/swimming-open/start", data={"version": "0"})
    assert response.status_code == 400 and "Le formulaire a expiré" in text(response)
    anonymous = guarded.test_client()
    response = anonymous.post("/saisie/handball-men", data=typed)
    assert response.status_code == 400 and "row-1-school" not in response.get_data(as_text=True)
    with guarded.app_context():
        db.engine.dispose()


# --- the entry-link sheet -------------------------------------------------------------------------


def test_the_link_sheet_prints_four_codes_per_page_with_a_print_button_and_paris_time(admin, live, make_discipline):
    from zoneinfo import ZoneInfo

    from cartel import ROOT
    from cartel.models import ProgrammeEntry

    response = admin.post(
        "/admin/links",
        data={"disciplines": ["handball-men", "football-women", "swimming-open"], "label": "Gymnase", "hours": 24},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.count('<section class="sheet">') == 3
    assert html.count('<div class="page">') == 1  # up to four codes on a page
    names = [unescape(n) for n in re.findall(r"<h1>([^<]+)</h1>", html)]
    assert names == ["Football féminin", "Handball masculin", "Swimming"]
    assert '<button type="button" class="print" data-print hidden>Imprimer</button>' in html
    assert f'<script src="{asset("js/print.js")}" defer></script>' in html
    assert "window.print()" in (ROOT / "static/js/print.js").read_text()
    assert "UTC" not in html
    link = db.session.scalars(sa.select(EntryLink).order_by(EntryLink.id)).first()
    paris = link.expires_at.replace(tzinfo=dt.UTC).astimezone(ZoneInfo("Europe/Paris"))
    assert f"Valable jusqu'au {paris:%d/%m/%Y %H:%M} (heure de Paris)." in unescape(html)
    sheet_css = (ROOT / "static/css/sheet.css").read_text()
    printed = sheet_css.split("@media print")[1]
    assert "grid-template-columns: 1fr 1fr; grid-auto-rows: 135mm" in printed
    assert "break-after: page" in printed and "size: A4" in sheet_css

    for sport in ("rugby", "volley"):  # five disciplines: two pages, four codes then one
        live.edition.programme.append(ProgrammeEntry(discipline=make_discipline(sport)))
    db.session.commit()
    everything = [e.discipline.slug for e in live.edition.programme]
    html = admin.post("/admin/links", data={"disciplines": everything, "label": "Bis", "hours": 1}).get_data(
        as_text=True
    )
    pages = html.split('<div class="page">')[1:]
    assert [page.count('<section class="sheet">') for page in pages] == [4, 1]


def test_reissuing_links_for_several_disciplines_at_once(admin, app, live):
    old_hb = issue_link(admin, "handball-men")
    old_swim = issue_link(admin, "swimming-open")
    untouched = issue_link(admin, "football-women")
    response = admin.post(
        "/admin/links",
        data={"disciplines": ["handball-men", "swimming-open"], "label": "Terrain 2", "hours": 24, "reissue": "y"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.count('<section class="sheet">') == 2
    new = re.findall(r'class="url">http://localhost(/e/[\w-]+)<', html)
    assert len(new) == 2
    for path in (old_hb, old_swim):
        assert app.test_client().get(path).status_code == 410  # revoked by the reissue
    for path in [untouched, *new]:
        assert app.test_client().get(path).status_code == 302
    revoked = db.session.scalars(sa.select(AuditEntry).filter_by(action="link.revoke")).all()
    assert len(revoked) == 2
    page = text(admin.get("/admin/links"))
    assert "Handball masculin · Terrain 2" in page and "handball-men" not in page  # labels, not slugs
    # without "reissue", a new link joins the ones already issued
    admin.post("/admin/links", data={"disciplines": ["football-women"], "label": "Bis", "hours": 24})
    assert app.test_client().get(untouched).status_code == 302


# --- the whole programme or some disciplines ------------------------------------------------------


def radios(html: str) -> dict[str, bool]:
    """The whole-programme choice as drawn: value -> checked."""
    return {
        value: "checked" in attributes
        for attributes, value in re.findall(r'<input ([^>]*)name="programme" type="radio" value="(\w+)"', html)
    }


def account_form(email, programme=None, disciplines=(), role="organiser"):
    form = {
        "email": email,
        "role": role,
        "active": "y",
        "password": "long enough pass",
        "disciplines": list(disciplines),
    }
    return form | ({"programme": programme} if programme else {})


def test_an_account_enters_the_whole_programme_or_only_the_disciplines_ticked(admin, app, live):
    html = admin.get("/admin/users").get_data(as_text=True)
    assert radios(html) == {"whole": False, "chosen": True}  # a new account starts limited: no rights by mistake
    fieldset = html.split('<fieldset class="choices"')[1].split("</fieldset>")[0]
    assert french("Tout le programme : toutes les disciplines, ainsi que les pénalités et bonus") in fieldset

    # the whole programme: every discipline and penalties (the ticks under "only" do not apply)
    response = admin.post("/admin/users", data=account_form("all@example.org", "whole", ["handball-men"]))
    assert response.status_code == 303
    everything = db.session.scalar(sa.select(User).filter_by(email="all@example.org"))
    assert everything.disciplines == [] and everything.may_adjust and everything.may_enter(live.swim.id)
    page = text(admin.get("/admin/users"))
    assert "Compte all@example.org enregistré : peut saisir tout le programme." in page
    assert "all@example.org · organisateur · tout le programme" in page
    assert radios(admin.get(f"/admin/users/{everything.id}").get_data(as_text=True)) == {"whole": True, "chosen": False}

    # some disciplines
    chosen = account_form("two@example.org", "chosen", ["handball-men", "football-women"])
    assert admin.post("/admin/users", data=chosen).status_code == 303
    two = db.session.scalar(sa.select(User).filter_by(email="two@example.org"))
    assert sorted(d.slug for d in two.disciplines) == ["football-women", "handball-men"]
    assert not two.may_adjust and not two.may_enter(live.swim.id)
    page = text(admin.get("/admin/users"))
    assert "Compte two@example.org enregistré : peut saisir seulement Football féminin et Handball masculin." in page
    html = admin.get(f"/admin/users/{two.id}").get_data(as_text=True)
    assert radios(html) == {"whole": False, "chosen": True}
    assert 'value="handball-men" checked' in html and 'value="swimming-open" checked' not in html

    # limited to nothing is not a choice: say so, save nothing
    for form, message in [
        (account_form("none@example.org", "chosen"), "Cochez les disciplines que ce compte peut saisir, ou choisissez"),
        (account_form("none@example.org"), "Cochez les disciplines que ce compte peut saisir, ou choisissez"),
        (
            account_form("boss@example.org", "chosen", ["handball-men"], role="admin"),
            "Un administrateur peut saisir toutes les disciplines : choisissez tout le programme.",
        ),
    ]:
        response = admin.post("/admin/users", data=form)
        assert response.status_code == 422 and message in text(response), form
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 3

    # a limited account opened to the whole programme, ticks left as they were
    widen = account_form("two@example.org", "whole", ["handball-men", "football-women"]) | {"password": ""}
    assert admin.post(f"/admin/users/{two.id}", data=widen).status_code == 303
    db.session.expire_all()
    assert two.disciplines == [] and two.may_adjust
    audit_page = text(admin.get("/admin/audit"))
    assert "Peut saisir : Football féminin et Handball masculin → tout le programme" in audit_page


def test_entry_links_for_the_whole_programme_or_some_disciplines(admin, app, live):
    html = admin.get("/admin/links").get_data(as_text=True)
    assert radios(html) == {"whole": False, "chosen": True}
    assert "Tout le programme de l&#39;édition" in html or "Tout le programme de l'édition" in html

    def sheet(form):
        response = admin.post("/admin/links", data={"label": "Gymnase", "hours": 24} | form)
        names = [unescape(n) for n in re.findall(r"<h1>([^<]+)</h1>", response.get_data(as_text=True))]
        return response.status_code, names

    assert sheet({"programme": "chosen", "disciplines": ["handball-men"]}) == (200, ["Handball masculin"])
    everything = ["Football féminin", "Handball masculin", "Swimming"]
    assert sheet({"programme": "whole"}) == (200, everything)  # chess is not in the programme
    assert sheet({"programme": "whole", "disciplines": ["football-women"], "reissue": "y"}) == (200, everything)
    usable = [link for link in db.session.scalars(sa.select(EntryLink)) if link.usable()]
    assert len(usable) == 3 and {link.discipline.slug for link in usable} == {
        "football-women",
        "handball-men",
        "swimming-open",
    }
    response = admin.post("/admin/links", data={"programme": "chosen", "label": "Gymnase", "hours": 24})
    assert response.status_code == 422
    assert "Choisissez au moins une discipline, ou tout le programme." in text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EntryLink)) == 7


def test_links_for_a_planned_edition_named_by_the_set_up_pages(admin, live, make_edition):
    make_edition(2027, status=EditionStatus.PLANNED, disciplines=[live.other], place_points=None)
    db.session.commit()
    response = admin.post("/admin/links?edition=2027", data={"programme": "whole", "label": "Échecs", "hours": 24})
    assert response.status_code == 200 and "<h1>Chess</h1>" in response.get_data(as_text=True)
    link = db.session.scalars(sa.select(EntryLink)).one()
    assert link.edition_id == db.session.scalar(sa.select(Edition.id).filter_by(year=2027))
    assert admin.get("/admin/links?edition=1999").status_code == 404  # not planned or live: no links
    assert admin.get(f"/admin/links?edition={2**63}").status_code == 404


def test_revoking_a_link_says_which_one_by_name(admin, live):
    issue_link(admin)
    link = db.session.scalars(sa.select(EntryLink)).one()
    response = admin.post(f"/admin/links/{link.id}/revoke", follow_redirects=True)
    page = text(response)
    assert "Lien révoqué : Handball masculin, Gymnase." in page and "handball-men" not in page


# --- account writes: checked first, audited, committed once ----------------------------------------


def test_refused_account_changes_leave_nothing_half_saved(admin, live, monkeypatch):
    from cartel.write import accounts
    from cartel.write.audit import Actor
    from cartel.write.unit import unit_of_work

    me = Actor(user_id=db.session.scalar(sa.select(User.id).filter_by(email="admin@example.org")))
    with unit_of_work():
        orga = accounts.create_user("orga@example.org", "long enough pass", Role.ORGANISER, me, [live.hb])
    audited = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))

    with pytest.raises(accounts.UserError) as refused, unit_of_work():  # a weak password refuses it all
        accounts.update_user(orga, me, role=Role.ADMIN, active=False, disciplines=[], password="short")
    assert refused.value.code == "password"
    assert orga.role is Role.ORGANISER and orga.active and orga.disciplines  # checked before anything changed
    with pytest.raises(accounts.UserError) as refused, unit_of_work():  # another's e-mail, in other letters
        accounts.update_user(orga, me, role=Role.ADMIN, active=True, disciplines=[], email="Admin@Example.org")
    assert refused.value.code == "exists"
    assert orga.role is Role.ORGANISER and orga.email == "orga@example.org" and orga.disciplines
    # the same e-mail saved by another request between the check and the commit: refused, not a crash
    monkeypatch.setattr(accounts, "_checked_email", lambda email, user=None: email.strip().lower())
    with pytest.raises(accounts.UserError) as refused, unit_of_work():
        accounts.create_user("admin@example.org", "long enough pass", Role.ADMIN, me)
    assert refused.value.code == "exists"
    monkeypatch.undo()
    db.session.expire_all()
    assert orga.role is Role.ORGANISER and orga.active and [d.slug for d in orga.disciplines] == ["handball-men"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == audited
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 2

    # a sheet of links is one transaction: a failure on its last link keeps every old link, adds none
    with unit_of_work():
        [(old, _token)] = accounts.issue_links(live.edition, [live.hb], "Gymnase", 24, me)
    audited += 1
    tokens = iter(["first-token", None])

    def token_urlsafe(_n):
        token = next(tokens)
        if token is None:
            raise OSError("no randomness left")
        return token

    monkeypatch.setattr(accounts.secrets, "token_urlsafe", token_urlsafe)
    with pytest.raises(OSError), unit_of_work():
        accounts.issue_links(live.edition, [live.hb, live.fb], "Terrain", 24, me, reissue=True)
    monkeypatch.undo()
    with pytest.raises(accounts.UserError), unit_of_work():
        accounts.issue_links(live.edition, [live.hb], "Terrain", 0, me, reissue=True)
    db.session.expire_all()
    assert [(link.id, link.usable()) for link in db.session.scalars(sa.select(EntryLink))] == [(old.id, True)]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == audited
