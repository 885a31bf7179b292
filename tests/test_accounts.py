"""Accounts: one e-mail rule for `flask user create`, the login form and the accounts form; the last
active administrator stays one."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from cartel.extensions import db
from cartel.models import AuditEntry, Role, User
from cartel.write import accounts
from cartel.write.audit import Actor
from cartel.write.unit import unit_of_work
from tests.helpers import PASSWORD, login, text

INVALID = "Adresse électronique non valide."


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("admin@probe.test", "admin@probe.test"),  # the domain reserved for trials
        ("  Orga@Example.ORG ", "orga@example.org"),
        ("élodie@exemple.fr", "élodie@exemple.fr"),
        ("orga@localhost", None),
        ("orga@gmail", None),  # a slip: no top-level domain
        ("orga@venue.local", None),
        ("orga@@example.org", None),
        ("orga @example.org", None),
        ("@example.org", None),
    ],
)
def test_the_cli_the_login_form_and_the_accounts_form_accept_the_same_emails(admin, runner, typed, stored):
    created = runner.invoke(args=["user", "create", typed, "--role", "admin"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert (created.exit_code == 0) is (stored is not None), created.output
    user = db.session.scalar(sa.select(User).where(User.email != "admin@example.org"))
    assert (user.email if user else None) == stored

    logging_in = login(admin.application.test_client(), typed)
    assert (INVALID not in logging_in.get_data(as_text=True)) is (stored is not None)
    if stored:
        assert logging_in.status_code == 302  # and in, with the address as typed

    form = {"email": typed, "role": "organiser", "programme": "whole", "active": "y", "password": "long enough pass"}
    page = text(admin.post("/admin/users", data=form))
    assert (INVALID not in page) is (stored is not None)
    if not stored:
        assert "not an email address" in created.output and "Traceback" not in created.output


def test_the_only_administrator_cannot_demote_or_deactivate_themself(admin):
    me = db.session.scalar(sa.select(User).filter_by(email="admin@example.org"))
    audited = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    form = {"email": "admin@example.org", "role": "admin", "programme": "whole", "active": "y", "password": ""}
    for change in ({"role": "organiser"}, {"active": ""}, {"role": "organiser", "active": ""}):
        response = admin.post(f"/admin/users/{me.id}", data={**form, **change})
        assert response.status_code == 422
        assert "C'est le dernier administrateur actif" in text(response)
        db.session.expire_all()
        assert me.role is Role.ADMIN and me.active  # nothing saved
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == audited
    assert admin.get("/admin/").status_code == 200


def test_an_administrator_may_be_demoted_while_another_remains(admin, make_user):
    other = make_user("second@example.org", role="admin")
    me = db.session.scalar(sa.select(User).filter_by(email="admin@example.org"))
    form = {"email": "second@example.org", "role": "organiser", "programme": "whole", "active": "y", "password": ""}
    assert admin.post(f"/admin/users/{other.id}", data=form).status_code == 303
    with pytest.raises(accounts.UserError) as refused, unit_of_work():
        accounts.update_user(me, Actor(user_id=me.id), role=Role.ORGANISER, active=True, disciplines=[])
    assert refused.value.code == "last_admin"
    with unit_of_work():  # an inactive administrator does not count: reactivating them as organiser is fine
        accounts.update_user(other, Actor(user_id=me.id), role=Role.ADMIN, active=False, disciplines=[])
    with pytest.raises(accounts.UserError), unit_of_work():
        accounts.update_user(me, Actor(user_id=me.id), role=Role.ADMIN, active=False, disciplines=[])


def test_two_administrators_demoting_each_other_at_once_leave_one(app, make_user, live):
    accounts_ = [
        (u.id, u.email) for u in (make_user("first@example.org", "admin"), make_user("second@example.org", "admin"))
    ]
    clients = {user_id: app.test_client() for user_id, _email in accounts_}
    for user_id, email in accounts_:
        assert login(clients[user_id], email).status_code == 302
    start = threading.Barrier(2)

    def demote(me, other):
        start.wait()
        form = {"email": other[1], "role": "organiser", "programme": "whole", "active": "y", "password": ""}
        return clients[me[0]].post(f"/admin/users/{other[0]}", data=form).status_code

    with ThreadPoolExecutor(2) as pool:
        statuses = list(pool.map(demote, accounts_, reversed(accounts_)))
    db.session.expire_all()
    admins = db.session.scalars(sa.select(User.email).where(User.role == Role.ADMIN, User.active.is_(True))).all()
    assert statuses.count(303) == 1 and len(admins) == 1, (statuses, admins)
