"""Log in and out. Failed logins are throttled (cartel/write/throttle.py); sessions end at logout for good."""

from __future__ import annotations

import functools
import hmac
import secrets
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

import sqlalchemy as sa
from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_user, logout_user
from werkzeug.security import check_password_hash, generate_password_hash

from cartel.extensions import db, login_manager
from cartel.models import Role, User
from cartel.web.auth.forms import LoginForm
from cartel.web.urls import local_target
from cartel.write import throttle
from cartel.write.accounts import end_sessions
from cartel.write.unit import unit_of_work

bp = Blueprint("auth", __name__)


def login_manager_setup(app) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to enter results.")
    # No binding of a session to the address and browser it began on: Flask-Login's "strong" ended the
    # session of an organiser whose phone went from Wi-Fi to 4G (or got a new IPv6 address), losing the
    # result being saved, and "basic" only marks it not fresh, which no page asks. What ends sessions
    # is the account's session token (see load_user): logout, a password change, a deactivation.
    login_manager.session_protection = None

    @login_manager.user_loader
    def load_user(session_id: str) -> User | None:
        """The account of a session id "ID:TOKEN", if its token is still the account's (see User.get_id)."""
        user_id, _sep, token = session_id.partition(":")
        user = db.session.get(User, int(user_id)) if user_id.isdecimal() and len(user_id) < 10 else None
        if user is None or not user.active or not hmac.compare_digest(user.session_token, token):
            return None
        return user


P = ParamSpec("P")
R = TypeVar("R")


def require_role(*roles: Role) -> Callable[[Callable[P, R]], Callable[P, R | ResponseReturnValue]]:
    """Views for logged-in accounts of these roles; others get 403 (or the login page)."""

    def decorator(view: Callable[P, R]) -> Callable[P, R | ResponseReturnValue]:
        @wraps(view)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> R | ResponseReturnValue:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def client_address() -> str:
    return (request.remote_addr or "unknown")[:64]


@functools.cache
def _decoy_hash() -> str:
    """A hash to check unknown e-mails' passwords against, so that they cost as much as a wrong password."""
    return generate_password_hash(secrets.token_urlsafe(16), method="scrypt")


def check_credentials(email: str, password: str) -> User | None:
    """The active account with this e-mail and password; the same work whether the e-mail exists or not."""
    user = db.session.scalar(sa.select(User).filter_by(email=email))
    right = check_password_hash(user.password_hash if user else _decoy_hash(), password)
    return user if user is not None and right and user.active else None


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data  # as stored (account_email)
        address = client_address()
        with unit_of_work():  # counted before the password is checked, whatever comes next
            wait = throttle.reserve(email, address)
        if wait:
            message = ngettext(
                "Too many failed attempts. Wait %(num)d second, then try again.",
                "Too many failed attempts. Wait %(num)d seconds, then try again.",
                wait,
            )
            response = make_response(render_template("auth/login.html", form=form, throttled=message), 429)
            response.headers["Retry-After"] = str(wait)
            return response
        user = check_credentials(email, form.password.data)
        if user is None:
            form.password.errors.append(_("Wrong email or password."))
            return render_template("auth/login.html", form=form), 401
        with unit_of_work():
            throttle.succeeded(email, address)
        session.clear()  # a fresh session at login (no fixation)
        login_user(user)
        return redirect(local_target(request.args.get("next"), url_for("entry.index")))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    if current_user.is_authenticated:
        with unit_of_work():
            end_sessions(current_user)  # a copy of this session cookie is worthless from now on
    logout_user()
    session.clear()
    flash(_("Logged out."))
    return redirect(url_for("public.home"))
